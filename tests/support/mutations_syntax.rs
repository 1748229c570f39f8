//! Corpus mutations of form: broken YAML, tabs, indentation, duplicate keys,
//! whitespace, line endings, degenerate documents, anchors, flow style, colons,
//! hyphens, comments, block scalars, long lines and quoted keys.

use super::*;

pub(super) static SYNTAX: &[Mutation] = &[
    // Broken YAML.
    m("unclosed_double_quote", ANY, 2, |o| {
        top_set(o, "created_by", "\"alice")
    }),
    m("unclosed_single_quote", SKILL, 2, |o| {
        key_set(o, "question", 2, "'What is it?")
    }),
    m("bad_mapping", ANY, 3, |o| {
        top_set(o, "created_by", "a: b: c")
    }),
    m("unclosed_flow", ANY, 1, |o| {
        top_set(o, "created_by", "[a, b")
    }),
    m("invalid_escape", ANY, 1, |o| {
        top_set(o, "created_by", "\"a\\qb\"")
    }),
    m("stray_sequence", ANY, 1, |o| {
        after_top(o, "version", "- item")
    }),
    m("unindented_block_scalar", ANY, 3, |o| {
        block_edit(o, prose_key(o), |l| l.trim_start().to_owned())
    }),
    m("block_scalar_bad_indicator", SKILL, 1, |o| {
        let mut l = lines(o);
        let i = l.top("task_description")?;
        l.0[i] = "task_description: |4".to_owned();
        ok(l.text())
    }),
    m("control_character", ANY, 1, |o| {
        top_set(o, "created_by", "al\u{7}ice")
    }),
    // Tabs.
    m("tab_indent", ANY, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(1)?;
        let j = (a + 1..b).find(|&j| indent(&l.0[j]) == 4)?;
        l.0[j] = format!("\t{}", l.0[j].trim_start());
        ok(l.text())
    }),
    m("tab_in_value", ANY, 2, |o| {
        top_set(o, "created_by", "al\tice")
    }),
    m("tab_after_colon", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = l.0[i].replacen(": ", ":\t", 1);
        ok(l.text())
    }),
    m("tab_trailing", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i].push('\t');
        ok(l.text())
    }),
    m("tab_in_block_scalar", ANY, 1, |o| {
        block_edit(o, prose_key(o), |l| format!("{l}\tend"))
    }),
    // Indentation.
    m("over_indented_sequence", ANY, 3, |o| {
        let mut l = lines(o);
        let i = l.top("seed_examples")?;
        let end = l.end(i);
        ok(l.shift(i + 1, end, 2).text())
    }),
    m("indentless_sequence", ANY, 3, |o| {
        let mut l = lines(o);
        let i = l.top("seed_examples")?;
        let end = l.end(i);
        ok(l.shift(i + 1, end, -2).text())
    }),
    m("mixed_indent_sequences", KNOW, 2, |o| {
        let mut l = lines(o);
        let i = l.nth_key("patterns", 0)?;
        let end = l.end(i);
        ok(l.shift(i + 1, end, -2).text())
    }),
    m("item_over_indented_by_one", ANY, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(2)?;
        ok(l.shift(a, b, 1).text())
    }),
    m("item_key_over_indented", SKILL, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(1)?;
        let j = (a + 1..b).find(|&j| indent(&l.0[j]) == 4)?;
        ok(l.shift(j, j + 1, 2).text())
    }),
    m("item_key_under_indented", SKILL, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(1)?;
        let j = (a + 1..b).find(|&j| indent(&l.0[j]) == 4)?;
        ok(l.shift(j, j + 1, -1).text())
    }),
    m("leading_spaces_doubled", ANY, 3, |o| {
        ok(map_lines(o, |_, s| format!("{}{s}", " ".repeat(indent(s)))))
    }),
    m("three_space_top_block", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        let end = l.end(i);
        ok(l.shift(i + 1, end, 1).text())
    }),
    // Duplicate keys.
    m("duplicate_top_key", ANY, 3, |o| {
        after_top(o, "version", "created_by: someone-else")
    }),
    m("duplicate_key_first_invalid_v1", SKILL, 2, |o| {
        let mut l = versioned(o, "1");
        ok(l.insert(1, "created_by: 5").text())
    }),
    m("duplicate_key_last_invalid_v1", SKILL, 2, |o| {
        let mut l = versioned(o, "1");
        let end = l.0.len();
        ok(l.insert(end, "created_by: 5").text())
    }),
    m("duplicate_seed_key", SKILL, 2, |o| {
        in_item(o, 0, "    question: A second question?")
    }),
    m("flow_duplicate_keys", ANY, 1, |o| {
        top_set(o, "created_by", "{a: 1, a: 2}")
    }),
    m("merge_key_twice", SKILL, 1, |o| {
        let mut l = lines(o);
        let (a, _) = *l.items().first()?;
        let rest = l.0[a][4..].to_owned();
        l.0.splice(a..=a, ["  - &first".to_owned(), format!("    {rest}")]);
        ok(
            l.push_item("  - <<: *first\n    <<: *first\n    answer: Merged twice.")?
                .text(),
        )
    }),
    m("duplicate_quoted_key", ANY, 1, |o| {
        after_top(o, "version", "\"created_by\": quoted")
    }),
    m("duplicate_version_key", ANY, 1, |o| {
        after_top(o, "version", "version: 2")
    }),
    // Trailing spaces and blank lines.
    m("trailing_spaces", ANY, 3, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i].push_str("  ");
        ok(l.text())
    }),
    m("trailing_spaces_in_block", ANY, 2, |o| {
        block_edit(o, prose_key(o), |l| format!("{l} "))
    }),
    m("trailing_spaces_blank_line", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top("seed_examples")?;
        ok(l.insert(i, "   ").text())
    }),
    m("trailing_spaces_v1", SKILL, 2, |o| {
        let mut l = versioned(o, "1");
        let i = l.top("created_by")?;
        l.0[i].push_str("   ");
        ok(l.text())
    }),
    m("document_start_trailing_space", ANY, 1, |o| {
        ok(format!("--- \n{}", o.text))
    }),
    m("whitespace_last_line", ANY, 1, |o| {
        ok(format!("{}  \n", o.text))
    }),
    m("comment_trailing_spaces", ANY, 1, |o| {
        after_top(o, "version", "# note  ")
    }),
    m("crlf_trailing_spaces", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i].push(' ');
        ok(l.text().replace('\n', "\r\n"))
    }),
    m("blank_lines_after_document_start", ANY, 1, |o| {
        ok(format!("---\n\n\n\n{}", o.text))
    }),
    m("document_end_then_blank", ANY, 1, |o| {
        ok(format!("{}...\n\n", o.text))
    }),
    m("trailing_blank_line", ANY, 3, |o| {
        ok(format!("{}\n", o.text))
    }),
    m("trailing_blank_lines_3", ANY, 1, |o| {
        ok(format!("{}\n\n\n", o.text))
    }),
    m("trailing_blank_line_v1", SKILL, 1, |o| {
        ok(format!("{}\n", versioned(o, "1").text()))
    }),
    m("leading_blank_line", ANY, 2, |o| {
        ok(format!("\n{}", o.text))
    }),
    m("leading_blank_lines_2", ANY, 1, |o| {
        ok(format!("\n\n{}", o.text))
    }),
    m("blank_lines_3_between_keys", ANY, 3, |o| {
        after_top(o, "created_by", "\n\n")
    }),
    m("blank_lines_2_between_keys", ANY, 1, |o| {
        after_top(o, "created_by", "\n")
    }),
    m("blank_lines_3_in_block_scalar", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        let j = l.block_line(i)?;
        let mut new = l.0[j].clone();
        new.push_str("\n\n\n");
        new.push_str(&l.0[j]);
        l.0[j] = new;
        ok(Lines::new(&l.text()).text())
    }),
    m("blank_lines_3_before_item", ANY, 2, |o| {
        let mut l = lines(o);
        let (a, _) = *l.items().get(3)?;
        ok(l.insert(a, "\n\n").text())
    }),
    m("no_final_newline", ANY, 3, |o| {
        ok(o.text.trim_end_matches('\n').to_owned())
    }),
    m("no_final_newline_v1", SKILL, 1, |o| {
        ok(versioned(o, "1").text().trim_end_matches('\n').to_owned())
    }),
    // Line endings.
    m("crlf", ANY, 3, |o| ok(o.text.replace('\n', "\r\n"))),
    m("crlf_partial", ANY, 2, |o| {
        ok(o.text.replacen('\n', "\r\n", 3))
    }),
    m("crlf_v1", SKILL, 1, |o| {
        ok(versioned(o, "1").text().replace('\n', "\r\n"))
    }),
    m("lone_cr", ANY, 1, |o| ok(o.text.replacen('\n', "\r", 2))),
    m("nel_in_value", ANY, 1, |o| {
        top_set(o, "created_by", "al\u{85}ice")
    }),
    m("line_separator_in_value", ANY, 1, |o| {
        top_set(o, "created_by", "al\u{2028}ice")
    }),
    // The loader alone: version 1 files get no yamllint pass upstream.
    m("nel_in_value_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "al\u{85}ice"))
    }),
    m("line_separator_in_value_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "al\u{2028}ice"))
    }),
    m("paragraph_separator_in_value_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "al\u{2029}ice"))
    }),
    m("tab_in_value_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "al\tice"))
    }),
    m("tab_trailing_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "alice\t"))
    }),
    m("control_character_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "al\u{7}ice"))
    }),
    m("byte_order_mark_v1", SKILL, 1, |o| {
        as_v1(ok(format!("\u{feff}{}", o.text)))
    }),
    m("unclosed_double_quote_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "\"alice"))
    }),
    m("bad_mapping_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "a: b: c"))
    }),
    m("undeclared_alias_v1", SKILL, 1, |o| {
        as_v1(top_set(o, "created_by", "*nobody"))
    }),
    m("two_documents_v1", SKILL, 1, |o| {
        as_v1(ok(format!("{}---\n{}", o.text, o.text)))
    }),
    m("flow_question_mark_v1", SKILL, 1, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().first()?;
        l.0.splice(a..b, ["  - {question: Why?, answer: Because.}".to_owned()]);
        as_v1(ok(l.text()))
    }),
    m("flow_question_mark_quoted_v1", SKILL, 1, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().first()?;
        l.0.splice(
            a..b,
            ["  - {question: \"Why?\", answer: Because.}".to_owned()],
        );
        as_v1(ok(l.text()))
    }),
    m("duplicate_anchor_v1", SKILL, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = "created_by: &a alice".to_owned();
        let j = l.nth_key("answer", 0)?;
        as_v1(ok(l.set(j, "&a Another answer.").text()))
    }),
    // Degenerate documents.
    m("empty_file", ANY, 2, |_| ok(String::new())),
    m("only_comments", ANY, 2, |_| {
        ok("# nothing here yet\n# still nothing\n".to_owned())
    }),
    m("comment_without_newline", ANY, 1, |_| {
        ok("# no newline".to_owned())
    }),
    m("whitespace_only", ANY, 1, |_| ok("   \n\n".to_owned())),
    m("empty_mapping", ANY, 2, |_| ok("{}\n".to_owned())),
    m("empty_list", ANY, 1, |_| ok("[]\n".to_owned())),
    m("list_document", ANY, 2, |_| ok("- a\n- b\n".to_owned())),
    m("scalar_document", ANY, 2, |_| ok("hello\n".to_owned())),
    m("int_document", ANY, 1, |_| ok("42\n".to_owned())),
    m("zero_document", ANY, 1, |_| ok("0\n".to_owned())),
    m("false_document", ANY, 1, |_| ok("false\n".to_owned())),
    m("null_document", ANY, 1, |_| ok("null\n".to_owned())),
    m("document_start_only", ANY, 1, |_| ok("---\n".to_owned())),
    m("version_only", ANY, 1, |_| ok("version: 3\n".to_owned())),
    m("version_only_v1", SKILL, 1, |_| {
        ok("version: 1\n".to_owned())
    }),
    // Documents and directives.
    m("two_documents", ANY, 2, |o| {
        ok(format!("{}---\n{}", o.text, o.text))
    }),
    m("second_document_empty", ANY, 1, |o| {
        ok(format!("{}---\n", o.text))
    }),
    m("document_start_marker", ANY, 2, |o| {
        ok(format!("---\n{}", o.text))
    }),
    m("document_end_marker", ANY, 2, |o| {
        ok(format!("{}...\n", o.text))
    }),
    m("yaml_directive", ANY, 1, |o| {
        ok(format!("%YAML 1.1\n---\n{}", o.text))
    }),
    m("yaml_directive_1_2", ANY, 1, |o| {
        ok(format!("%YAML 1.2\n---\n{}", o.text))
    }),
    // Anchors and aliases.
    m("alias_scalar", SKILL, 2, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        let who = l.0[i].trim_start_matches("created_by:").trim().to_owned();
        l.0[i] = format!("created_by: &who {who}");
        let j = l.nth_key("answer", 1)?;
        ok(l.set(j, "*who").text())
    }),
    m("undeclared_alias", ANY, 2, |o| {
        top_set(o, "created_by", "*nobody")
    }),
    m("alias_before_anchor", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = "created_by: *later".to_owned();
        let end = l.0.len();
        ok(l.insert(end, "extra: &later alice").text())
    }),
    m("alias_of_seed_item", ANY, 2, |o| {
        let mut l = lines(o);
        let (a, _) = *l.items().first()?;
        let rest = l.0[a][4..].to_owned();
        l.0.splice(a..=a, ["  - &first".to_owned(), format!("    {rest}")]);
        ok(l.push_item("  - *first")?.text())
    }),
    m("merge_key", SKILL, 2, |o| {
        let mut l = lines(o);
        let (a, _) = *l.items().first()?;
        let rest = l.0[a][4..].to_owned();
        l.0.splice(a..=a, ["  - &first".to_owned(), format!("    {rest}")]);
        ok(
            l.push_item("  - <<: *first\n    answer: A different answer, merged.")?
                .text(),
        )
    }),
    m("duplicate_anchor", SKILL, 2, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = "created_by: &a alice".to_owned();
        let j = l.nth_key("answer", 0)?;
        l.set(j, "&a Another answer.");
        let k = l.nth_key("answer", 1)?;
        ok(l.set(k, "*a").text())
    }),
    m("unused_anchor", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = l.0[i].replacen(": ", ": &unused ", 1);
        ok(l.text())
    }),
    // Flow style.
    m("flow_tight_mapping", ANY, 1, |o| {
        top_set(o, "created_by", "{a:1}")
    }),
    m("flow_seed_item", SKILL, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().first()?;
        l.0.splice(
            a..b,
            ["  - {question: What is a flow mapping?, answer: One written inline.}".to_owned()],
        );
        ok(l.text())
    }),
    m("flow_seed_item_wide_braces", SKILL, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().first()?;
        l.0.splice(
            a..b,
            ["  - {  question: What is it?,  answer: It is wide.  }".to_owned()],
        );
        ok(l.text())
    }),
    m("flow_seed_item_space_before_comma", SKILL, 1, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().first()?;
        l.0.splice(
            a..b,
            ["  - {question: What is it? , answer: It has a space.}".to_owned()],
        );
        ok(l.text())
    }),
    m("flow_seed_item_no_spaces", SKILL, 1, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().first()?;
        l.0.splice(a..b, ["  - {question:What,answer:That}".to_owned()]);
        ok(l.text())
    }),
    m("flow_seed_item_multiline", SKILL, 1, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().first()?;
        l.0.splice(
            a..b,
            [
                "  - {question: What spans lines?,".to_owned(),
                "     answer: This flow mapping.}".to_owned(),
            ],
        );
        ok(l.text())
    }),
    m("flow_patterns_spaced", KNOW, 1, |o| {
        key_set(o, "patterns", 0, "[ \"*.md\" , \"docs/*.md\" ]")
    }),
    m("flow_patterns_wide", KNOW, 1, |o| {
        key_set(o, "patterns", 0, "[   \"*.md\"]")
    }),
    m("flow_patterns_trailing_comma", KNOW, 1, |o| {
        key_set(o, "patterns", 0, "[\"*.md\",]")
    }),
    m("flow_document", KNOW, 1, |o| {
        top_set(
            o,
            "document",
            "{repo: \"https://github.com/a/b.git\", commit: abc123, patterns: [\"*.md\"]}",
        )
    }),
    m("flow_empty_braces_spaced", ANY, 1, |o| {
        after_top(o, "version", "extra: {  }")
    }),
    // Colons and hyphens.
    m("colon_space_before", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = l.0[i].replacen(": ", " :  ", 1);
        ok(l.text())
    }),
    m("colon_spaces_after", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = l.0[i].replacen(": ", ":    ", 1);
        ok(l.text())
    }),
    m("colon_space_before_version", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("version")?;
        l.0[i] = l.0[i].replacen(": ", " : ", 1);
        ok(l.text())
    }),
    m("key_spaces_before_colon_in_item", SKILL, 1, |o| {
        let mut l = lines(o);
        let i = l.nth_key("answer", 1)?;
        l.0[i] = l.0[i].replacen("answer:", "answer  :", 1);
        ok(l.text())
    }),
    m("hyphen_without_space", SKILL, 1, |o| {
        let mut l = lines(o);
        let (a, _) = *l.items().get(1)?;
        l.0[a] = l.0[a].replacen("  - ", "  -", 1);
        ok(l.text())
    }),
    m("nested_list_hyphen_spaces", SKILL, 1, |o| {
        key_set(o, "answer", 2, "\n      -   one\n      -   two")
    }),
    m("nested_list_indentless", SKILL, 1, |o| {
        key_set(o, "answer", 2, "\n    - one\n    - two")
    }),
    m("flow_patterns_multiline", KNOW, 1, |o| {
        key_set(
            o,
            "patterns",
            0,
            "[\n      \"a.md\",\n      \"b.md\"\n    ]",
        )
    }),
    m("flow_patterns_no_space_after_comma", KNOW, 1, |o| {
        key_set(o, "patterns", 0, "[\"a.md\",\"b.md\"]")
    }),
    m("colon_in_plain_value", ANY, 1, |o| {
        top_set(o, "created_by", "alice:bob")
    }),
    m("hyphen_spaces", ANY, 2, |o| {
        let mut l = lines(o);
        let (a, b) = *l.items().get(1)?;
        l.shift(a + 1, b, 2);
        l.0[a] = l.0[a].replacen("  - ", "  -   ", 1);
        ok(l.text())
    }),
    m("hyphen_spaces_patterns", KNOW, 1, |o| {
        let mut l = lines(o);
        let i = l.nth_key("patterns", 0)?;
        let j = l.block_line(i)?;
        l.0[j] = l.0[j].replacen("- ", "-   ", 1);
        ok(l.text())
    }),
    // Comments.
    m("comment_after_value", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i].push_str(" # who wrote it");
        ok(l.text())
    }),
    m("comment_no_space_after_hash", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i].push_str(" #who");
        ok(l.text())
    }),
    m("hash_inside_plain_value", ANY, 1, |o| {
        top_set(o, "created_by", "alice#bob")
    }),
    m("comment_column_0_in_sequence", ANY, 2, |o| {
        let mut l = lines(o);
        let (a, _) = *l.items().get(2)?;
        ok(l.insert(a, "# a note between items").text())
    }),
    m("comment_deep_indent", ANY, 1, |o| {
        after_top(o, "version", "            # deep")
    }),
    m("comment_in_block_scalar", ANY, 1, |o| {
        block_edit(o, prose_key(o), |l| format!("{l}\n  # not a comment"))
    }),
    m("comment_header", ANY, 2, |o| {
        ok(format!("# Leaf header\n{}", o.text))
    }),
    m("comment_at_end", ANY, 1, |o| {
        ok(format!("{}# end\n", o.text))
    }),
    m("comment_after_sequence_marker", ANY, 1, |o| {
        let mut l = lines(o);
        let (a, _) = *l.items().get(1)?;
        let rest = l.0[a][4..].to_owned();
        l.0.splice(
            a..=a,
            ["  -  # the second".to_owned(), format!("    {rest}")],
        );
        ok(l.text())
    }),
    // Block scalars.
    m("block_literal", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        l.0[i] = format!("{}: |", prose_key(o));
        ok(l.text())
    }),
    m("block_folded_strip", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        l.0[i] = format!("{}: >-", prose_key(o));
        ok(l.text())
    }),
    m("block_literal_keep", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        l.0[i] = format!("{}: |+", prose_key(o));
        let end = l.end(i);
        ok(l.insert(end, "").text())
    }),
    m("block_indentation_indicator", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        let end = l.end(i);
        l.0[i] = format!("{}: |2", prose_key(o));
        ok(l.shift(i + 2, end, 2).text())
    }),
    m("block_indicator_and_chomping", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        l.0[i] = format!("{}: >2-", prose_key(o));
        ok(l.text())
    }),
    m("block_empty", SKILL, 1, |o| {
        top_set(o, "task_description", "|")
    }),
    m("block_keep_at_end", SKILL, 1, |o| {
        let mut l = lines(o);
        let i = l.top("task_description")?;
        let end = l.end(i);
        let mut block: Vec<String> = l.0.drain(i..end).collect();
        block[0] = "task_description: |+".to_owned();
        l.0.extend(block);
        ok(format!("{}\n\n", l.text()))
    }),
    m("block_scalar_header_comment", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top(prose_key(o))?;
        l.0[i].push_str(" # folded");
        ok(l.text())
    }),
    // Long lines.
    m("long_line", ANY, 2, |o| {
        top_set(o, "created_by", &"x".repeat(600))
    }),
    m("long_question", SKILL, 1, |o| {
        key_set(o, "question", 0, &format!("Why {}?", "very ".repeat(400)))
    }),
    // Quoted and odd keys.
    m("quoted_keys", ANY, 2, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = l.0[i].replacen("created_by:", "\"created_by\":", 1);
        let v = l.top("version")?;
        l.0[v] = "'version': 3".to_owned();
        ok(l.text())
    }),
    m("escaped_quoted_key", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        l.0[i] = l.0[i].replacen("created_by:", "\"created\\x5fby\":", 1);
        ok(l.text())
    }),
    m("explicit_key", ANY, 1, |o| {
        let mut l = lines(o);
        let i = l.top("created_by")?;
        let value = l.0[i].trim_start_matches("created_by:").trim().to_owned();
        l.0.splice(i..=i, ["? created_by".to_owned(), format!(": {value}")]);
        ok(l.text())
    }),
    m("int_key", ANY, 1, |o| after_top(o, "version", "1: one")),
    m("null_key", ANY, 1, |o| {
        after_top(o, "version", "null: nothing")
    }),
    m("bool_key", ANY, 1, |o| {
        after_top(o, "version", "yes: agreed")
    }),
    m("int_key_v1", SKILL, 1, |o| {
        let mut l = versioned(o, "1");
        ok(l.insert(1, "1: one").text())
    }),
    m("unhashable_key", ANY, 1, |o| {
        after_top(o, "version", "? [a, b]\n: c")
    }),
];
