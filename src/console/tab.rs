//! The console's tabs: which exist, their order and their names. Shared by the state, the
//! keymap and the drawing, so none of those has to import another for it.

/// The five tabs, in key order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Metrics,
    Charts,
    Records,
    Lag,
    Logs,
}

impl Tab {
    /// Every tab, left to right.
    pub const ALL: [Tab; 5] = [Tab::Metrics, Tab::Charts, Tab::Records, Tab::Lag, Tab::Logs];

    /// The tab's name.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Metrics => "Metrics",
            Tab::Charts => "Charts",
            Tab::Records => "Records",
            Tab::Lag => "Lag",
            Tab::Logs => "Logs",
        }
    }

    /// Position from 0.
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The tab `by` places to the right, wrapping around.
    pub fn offset(self, by: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
}
