//! The screens: the tree and detail panes (browse), or one screen in their place.
//! Exactly one is shown, so two at once cannot be represented. A screen is a
//! [`Component`]; adding one is its module and one line in `screens!` below.

pub mod browse;
pub mod review;
pub mod train;

use super::component::Component;

use self::review::ReviewScreen;
use self::train::TrainScreen;

/// Declares [`Screen`] from its screens besides browse, with the access to each
/// one's component.
macro_rules! screens {
    ($($(#[$doc:meta])* $variant:ident($state:ty)),* $(,)?) => {
        /// The screen shown.
        #[derive(Debug, Default)]
        pub enum Screen {
            /// The tree and detail panes (the app keeps their state).
            #[default]
            Browse,
            $($(#[$doc])* $variant(Box<$state>),)*
        }

        impl Screen {
            /// The screen's component; `None` for the browse screen.
            pub fn component(&self) -> Option<&dyn Component> {
                match self {
                    Screen::Browse => None,
                    $(Screen::$variant(screen) => Some(screen.as_ref()),)*
                }
            }

            /// The screen's component, to change it; `None` for the browse screen.
            pub fn component_mut(&mut self) -> Option<&mut dyn Component> {
                match self {
                    Screen::Browse => None,
                    $(Screen::$variant(screen) => Some(screen.as_mut()),)*
                }
            }
        }
    };
}

screens! {
    /// The review of the leaves changed against the base.
    Review(ReviewScreen),
    /// The training runs, their charts, launches and the before/after check.
    Train(TrainScreen),
}
