//! Corpus mutations of content: missing, extra and mistyped keys, counts, duplicate
//! items, versions, unicode, paths and attribution files.

use super::*;

pub(super) static CONTENT: &[Mutation] = &[
    // Missing keys.
    m("missing_created_by", ANY, 3, |o| {
        top_remove(o, "created_by")
    }),
    m("missing_task_description", SKILL, 3, |o| {
        top_remove(o, "task_description")
    }),
    m("missing_seed_examples", ANY, 3, |o| {
        top_remove(o, "seed_examples")
    }),
    m("missing_version", ANY, 4, |o| top_remove(o, "version")),
    m("missing_domain", KNOW, 2, |o| top_remove(o, "domain")),
    m("missing_document", KNOW, 2, |o| top_remove(o, "document")),
    m("missing_document_outline", KNOW, 2, |o| {
        top_remove(o, "document_outline")
    }),
    m("missing_document_commit", KNOW, 2, |o| {
        key_remove(o, "commit", 0)
    }),
    m("missing_question", SKILL, 3, |o| {
        key_remove(o, "question", 1)
    }),
    m("missing_answer", SKILL, 3, |o| key_remove(o, "answer", 2)),
    m("missing_context_grounded", GROUNDED, 2, |o| {
        key_remove(o, "context", 0)
    }),
    m("missing_context_knowledge", KNOW, 2, |o| {
        key_remove(o, "context", 1)
    }),
    m("missing_questions_and_answers", KNOW, 2, |o| {
        key_remove(o, "questions_and_answers", 0)
    }),
    m("missing_qna_answer", KNOW, 2, |o| {
        key_remove(o, "answer", 4)
    }),
    m("missing_question_v1", SKILL, 2, |o| {
        let mut l = versioned(o, "1");
        let i = l.nth_key("question", 0)?;
        ok(l.remove(i).text())
    }),
    // Extra and unknown keys.
    m("extra_top_key", ANY, 3, |o| {
        after_top(o, "created_by", "attribution: wikipedia")
    }),
    m("extra_top_key_cjk", ANY, 2, |o| {
        after_top(o, "version", "出典: 維基百科")
    }),
    m("extra_top_key_v1", SKILL, 2, |o| {
        let mut l = versioned(o, "1");
        let i = l.top("created_by")?;
        let end = l.end(i);
        ok(l.insert(end, "notes: extra").text())
    }),
    m("knowledge_task_description", KNOW, 2, |o| {
        after_top(o, "domain", SKILL_AS_V1_KNOWLEDGE)
    }),
    m("extra_seed_key", ANY, 3, |o| {
        in_item(o, 2, "    source: a textbook")
    }),
    m("extra_qna_key", KNOW, 2, |o| {
        let mut l = lines(o);
        let i = l.nth_key("question", 0)?;
        let end = l.end(i);
        ok(l.insert(end, "        source: chapter two").text())
    }),
    m("extra_document_key", KNOW, 2, |o| {
        after_top(o, "document", "  branch: main")
    }),
    // Wrong types.
    m("created_by_int", ANY, 3, |o| {
        top_set(o, "created_by", "12345")
    }),
    m("created_by_yes", ANY, 2, |o| {
        top_set(o, "created_by", "yes")
    }),
    m("created_by_On", ANY, 2, |o| top_set(o, "created_by", "On")),
    m("created_by_TRUE", ANY, 1, |o| {
        top_set(o, "created_by", "TRUE")
    }),
    m("created_by_y", ANY, 1, |o| top_set(o, "created_by", "y")),
    m("created_by_quoted_yes", ANY, 1, |o| {
        top_set(o, "created_by", "\"yes\"")
    }),
    m("created_by_null", ANY, 2, |o| {
        top_set(o, "created_by", "null")
    }),
    m("created_by_tilde", ANY, 1, |o| {
        top_set(o, "created_by", "~")
    }),
    m("created_by_empty_value", ANY, 2, |o| {
        top_set(o, "created_by", "")
    }),
    m("created_by_empty_string", ANY, 2, |o| {
        top_set(o, "created_by", "\"\"")
    }),
    m("created_by_list", ANY, 2, |o| {
        top_set(o, "created_by", "[alice, bob]")
    }),
    m("created_by_block_list", ANY, 2, |o| {
        top_set(o, "created_by", "\n  - alice\n  - bob")
    }),
    m("created_by_mapping", ANY, 2, |o| {
        top_set(o, "created_by", "{name: alice}")
    }),
    m("created_by_date", ANY, 2, |o| {
        top_set(o, "created_by", "2024-01-01")
    }),
    m("created_by_timestamp", ANY, 1, |o| {
        top_set(o, "created_by", "2001-12-14t21:59:43.10-05:00")
    }),
    m("created_by_octal", ANY, 2, |o| {
        top_set(o, "created_by", "0777")
    }),
    m("created_by_hex", ANY, 1, |o| {
        top_set(o, "created_by", "0x1F")
    }),
    m("created_by_sexagesimal", ANY, 1, |o| {
        top_set(o, "created_by", "1:30")
    }),
    m("created_by_underscore_int", ANY, 1, |o| {
        top_set(o, "created_by", "1_000")
    }),
    m("created_by_plus_int", ANY, 1, |o| {
        top_set(o, "created_by", "+12")
    }),
    m("created_by_float", ANY, 1, |o| {
        top_set(o, "created_by", "1.5")
    }),
    m("created_by_inf", ANY, 1, |o| {
        top_set(o, "created_by", ".inf")
    }),
    m("created_by_nan", ANY, 1, |o| {
        top_set(o, "created_by", ".NaN")
    }),
    m("created_by_exponent", ANY, 1, |o| {
        top_set(o, "created_by", "1e3")
    }),
    m("created_by_big_int", ANY, 1, |o| {
        top_set(o, "created_by", "123456789012345678901234567890")
    }),
    m("created_by_str_tag", ANY, 1, |o| {
        top_set(o, "created_by", "!!str 5")
    }),
    m("created_by_unknown_tag", ANY, 1, |o| {
        top_set(o, "created_by", "!custom alice")
    }),
    m("created_by_python_tag", ANY, 1, |o| {
        top_set(o, "created_by", "!!python/name:os.system ''")
    }),
    m("question_int", SKILL, 2, |o| {
        key_set(o, "question", 0, "42")
    }),
    m("question_float", SKILL, 1, |o| {
        key_set(o, "question", 1, "3.14")
    }),
    m("answer_bool", SKILL, 2, |o| key_set(o, "answer", 0, "no")),
    m("answer_null", SKILL, 2, |o| key_set(o, "answer", 1, "")),
    m("answer_list", SKILL, 2, |o| {
        key_set(o, "answer", 2, "\n      - one\n      - two")
    }),
    m("context_date", GROUNDED, 2, |o| {
        key_set(o, "context", 0, "2024-05-06")
    }),
    m("context_empty_string", GROUNDED, 1, |o| {
        key_set(o, "context", 0, "''")
    }),
    m("knowledge_context_int", KNOW, 1, |o| {
        key_set(o, "context", 0, "7")
    }),
    m("qna_answer_bool", KNOW, 2, |o| {
        key_set(o, "answer", 0, "off")
    }),
    m("task_description_empty", SKILL, 2, |o| {
        top_set(o, "task_description", "\"\"")
    }),
    m("task_description_empty_v1", SKILL, 2, |o| {
        let mut l = versioned(o, "1");
        let i = l.top("task_description")?;
        ok(l.set(i, "''").text())
    }),
    m("task_description_int_v1", SKILL, 1, |o| {
        let mut l = versioned(o, "1");
        let i = l.top("task_description")?;
        ok(l.set(i, "2024").text())
    }),
    m("domain_empty", KNOW, 1, |o| top_set(o, "domain", "''")),
    m("created_by_spaces_only", ANY, 1, |o| {
        top_set(o, "created_by", "\"  \"")
    }),
    m("answer_empty_block", SKILL, 2, |o| {
        key_set(o, "answer", 0, "|")
    }),
    m("answer_strip_to_empty", SKILL, 1, |o| {
        key_set(o, "answer", 1, ">-\n\n")
    }),
    m("patterns_empty_string", KNOW, 1, |o| {
        key_set(o, "patterns", 0, "\n    - ''")
    }),
    m("repo_null", KNOW, 1, |o| key_set(o, "repo", 0, "")),
    m("document_list", KNOW, 1, |o| {
        top_set(o, "document", "\n  - repo: https://github.com/a/b.git")
    }),
    m("seed_examples_null", ANY, 2, |o| {
        top_set(o, "seed_examples", "")
    }),
    m("seed_examples_mapping", ANY, 1, |o| {
        top_set(o, "seed_examples", "{}")
    }),
    m("seed_examples_string", ANY, 1, |o| {
        top_set(o, "seed_examples", "none")
    }),
    m("seed_item_string", SKILL, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(1)?;
        l.0.splice(a..b, ["  - just a string".to_owned()]);
        ok(l.text())
    }),
    m("seed_item_null", ANY, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(1)?;
        l.0.splice(a..b, ["  -".to_owned()]);
        ok(l.text())
    }),
    m("patterns_string", KNOW, 1, |o| {
        key_set(o, "patterns", 0, "\"*.md\"")
    }),
    m("patterns_empty", KNOW, 1, |o| {
        key_set(o, "patterns", 0, "[]")
    }),
    m("patterns_duplicate", KNOW, 2, |o| {
        key_set(o, "patterns", 0, "\n    - a.md\n    - a.md")
    }),
    m("commit_int", KNOW, 1, |o| {
        key_set(o, "commit", 0, "1234567")
    }),
    // Counts.
    m("seeds_4", ANY, 3, |o| with_items(o, None, 4)),
    m("seeds_1", ANY, 2, |o| with_items(o, None, 1)),
    m("seeds_0", ANY, 2, |o| with_items(o, None, 0)),
    m("seeds_1_v1", SKILL, 2, |o| with_items(o, Some("1"), 1)),
    m("seeds_0_v1", SKILL, 1, |o| with_items(o, Some("1"), 0)),
    m("seeds_4_v2", SKILL, 1, |o| with_items(o, Some("2"), 4)),
    m("qna_2", KNOW, 2, |o| {
        let mut l = lines(o);
        let qna = l.qna_items(0);
        let (a, _) = *qna.get(2)?;
        let (_, b) = *qna.last()?;
        l.0.drain(a..b);
        ok(l.text())
    }),
    // Duplicates.
    m("duplicate_seed", ANY, 3, |o| duplicate_item(o, None)),
    m("duplicate_seed_v1", SKILL, 2, |o| {
        duplicate_item(o, Some("1"))
    }),
    m("duplicate_seed_reordered", ANY, 3, |o| {
        let mut l = lines(o);
        let copy = l.item_reversed(0)?;
        ok(l.push_item(&copy)?.text())
    }),
    m("duplicate_seed_quoting", FREEFORM, 2, |o| {
        let mut l = lines(o);
        let pair =
            "  - question: Same?\n    answer: Same.\n  - question: \"Same?\"\n    answer: 'Same.'";
        ok(l.push_item(pair)?.text())
    }),
    m("duplicate_seed_block_vs_plain", FREEFORM, 1, |o| {
        let mut l = lines(o);
        let pair = "  - question: Same?\n    answer: Same.\n  - question: Same?\n    answer: |-\n      Same.";
        ok(l.push_item(pair)?.text())
    }),
    m("near_duplicate_seed_kept_newline", FREEFORM, 1, |o| {
        let mut l = lines(o);
        let pair = "  - question: Same?\n    answer: Same.\n  - question: Same?\n    answer: |\n      Same.";
        ok(l.push_item(pair)?.text())
    }),
    m("near_duplicate_seed_int_and_bool", FREEFORM, 1, |o| {
        let mut l = lines(o);
        let pair = "  - question: Same?\n    answer: 1\n  - question: Same?\n    answer: true";
        ok(l.push_item(pair)?.text())
    }),
    m("duplicate_seed_v2", SKILL, 1, |o| {
        duplicate_item(o, Some("2"))
    }),
    m("duplicate_qna", KNOW, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.qna_items(0).first()?;
        let copy = l.0[a..b].join("\n");
        ok(l.insert(b, &copy).text())
    }),
    // Versions.
    m("knowledge_v1", KNOW, 2, |o| ok(versioned(o, "1").text())),
    m("knowledge_v2", KNOW, 2, |o| ok(versioned(o, "2").text())),
    m("knowledge_v1_fields", KNOW, 1, |o| {
        let mut l = versioned(o, "1");
        let i = l.top("domain")?;
        let end = l.end(i);
        l.insert(end, SKILL_AS_V1_KNOWLEDGE);
        let i = l.top("document_outline")?;
        ok(l.remove(i).text())
    }),
    m("knowledge_v2_fields", KNOW, 1, |o| {
        let mut l = versioned(o, "2");
        let i = l.top("domain")?;
        let end = l.end(i);
        ok(l.insert(end, SKILL_AS_V1_KNOWLEDGE).text())
    }),
    m("skill_v1", SKILL, 3, |o| ok(versioned(o, "1").text())),
    m("skill_v2", SKILL, 3, |o| ok(versioned(o, "2").text())),
    m("version_string", ANY, 2, |o| {
        ok(versioned(o, "\"3\"").text())
    }),
    m("version_string_spaces", ANY, 1, |o| {
        ok(versioned(o, "' 2 '").text())
    }),
    m("version_word", ANY, 1, |o| ok(versioned(o, "three").text())),
    m("version_float", ANY, 2, |o| ok(versioned(o, "3.0").text())),
    m("version_float_fraction", ANY, 1, |o| {
        ok(versioned(o, "3.5").text())
    }),
    m("version_bool", ANY, 1, |o| ok(versioned(o, "true").text())),
    m("version_4", ANY, 1, |o| ok(versioned(o, "4").text())),
    m("version_0", ANY, 1, |o| ok(versioned(o, "0").text())),
    m(
        "version_negative",
        ANY,
        1,
        |o| ok(versioned(o, "-1").text()),
    ),
    m("version_hex", ANY, 1, |o| ok(versioned(o, "0x3").text())),
    m("version_octal", ANY, 1, |o| ok(versioned(o, "03").text())),
    m("version_null", ANY, 1, |o| ok(versioned(o, "null").text())),
    m("version_list", ANY, 1, |o| ok(versioned(o, "[3]").text())),
    m("version_huge", ANY, 1, |o| {
        ok(versioned(o, "99999999999999999999999").text())
    }),
    m("version_int_tag_string", ANY, 1, |o| {
        ok(versioned(o, "!!int \"3\"").text())
    }),
    m("version_str_tag", ANY, 1, |o| {
        ok(versioned(o, "!!str 3").text())
    }),
    // Unicode.
    m("cjk_answer", SKILL, 2, |o| {
        key_set(o, "answer", 0, "答えは「東京」です。日本の首都。")
    }),
    m("emoji_created_by", ANY, 2, |o| {
        top_set(o, "created_by", "🦀 crab-fan 🎉")
    }),
    m("emoji_trailing_spaces", ANY, 2, |o| {
        top_set(o, "created_by", "🦀🦀  ")
    }),
    m("emoji_colon_spacing", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0.insert(i, "🦀_key :  🦀".to_owned());
        ok(l.text())
    }),
    m("combining_characters", ANY, 2, |o| {
        top_set(o, "created_by", "cafe\u{301}-jose\u{301}")
    }),
    m("rtl_text", ANY, 2, |o| {
        key_set(
            o,
            "question",
            0,
            "\u{5de}\u{5d4} \u{5d6}\u{5d4}? \u{202e}abc\u{202c}",
        )
    }),
    m("zero_width_space", ANY, 1, |o| {
        top_set(o, "created_by", "al\u{200b}ice")
    }),
    m("nbsp_indent", ANY, 1, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(1)?;
        let j = (a + 1..b).find(|&j| indent(&l.0[j]) == 4)?;
        l.0[j] = format!("  \u{a0} {}", l.0[j].trim_start());
        ok(l.text())
    }),
    m("byte_order_mark", ANY, 2, |o| {
        ok(format!("\u{feff}{}", o.text))
    }),
    m("unicode_key_in_item", SKILL, 1, |o| {
        in_item(o, 1, "    ключ: значение")
    }),
    // Paths and attribution.
    m("knowledge_under_skills", KNOW, 2, |o| {
        moved(o.text.clone(), "compositional_skills")
    }),
    m("skill_under_knowledge", SKILL, 2, |o| {
        moved(o.text.clone(), "knowledge")
    }),
    m("outside_taxonomy_folders", ANY, 3, |o| {
        moved(o.text.clone(), "other_skills")
    }),
    m("foundational_v3", SKILL, 1, |o| {
        moved(o.text.clone(), "foundational_skills")
    }),
    m("knowledge_folder_inside_skills", SKILL, 2, |o| {
        moved(o.text.clone(), "compositional_skills/nested/knowledge")
    }),
    m("skills_folder_inside_knowledge", KNOW, 2, |o| {
        moved(o.text.clone(), "knowledge/nested/compositional_skills")
    }),
    m("foundational_folder_inside_knowledge", KNOW, 1, |o| {
        moved(o.text.clone(), "knowledge/nested/foundational_skills")
    }),
    m("foundational_folder_inside_skills", SKILL, 1, |o| {
        moved(
            o.text.clone(),
            "compositional_skills/nested/foundational_skills",
        )
    }),
    m("attribution_folder", ANY, 2, |o| {
        with_attribution(o.text.clone(), Attribution::Folder)
    }),
    m("attribution_missing", ANY, 3, |o| {
        with_attribution(o.text.clone(), Attribution::Missing)
    }),
    m("attribution_empty", ANY, 3, |o| {
        with_attribution(o.text.clone(), Attribution::Empty)
    }),
    m("attribution_blank", ANY, 1, |o| {
        with_attribution(o.text.clone(), Attribution::Blank)
    }),
    m("attribution_missing_v1", SKILL, 2, |o| {
        with_attribution(versioned(o, "1").text(), Attribution::Missing)
    }),
    m("attribution_missing_v2", SKILL, 1, |o| {
        with_attribution(versioned(o, "2").text(), Attribution::Missing)
    }),
    m("attribution_missing_syntax_error", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        with_attribution(l.set(i, "a: b: c").text(), Attribution::Missing)
    }),
    // Unchanged copies (the harness must agree on valid files too).
    m("unchanged", ANY, 3, |o| ok(o.text.clone())),
    m("unchanged_no_attribution_check_v1", FREEFORM, 1, |o| {
        with_attribution(versioned(o, "1").text(), Attribution::Empty)
    }),
];
