//! Cuts and picture-in-picture: which video slot shows where. Pure geometry, applied to the
//! compositor's pads by the program (changes take effect on the next frame, no glitch).

use serde::Serialize;

/// What the program shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "layout", rename_all = "snake_case")]
pub enum Layout {
    /// One slot, full frame (a cut).
    Single { slot: usize },
    /// `main` full frame with `inset` in a corner, `size_percent` of the width.
    PictureInPicture { main: usize, inset: usize, corner: Corner, size_percent: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// Where one compositor pad goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PadPlacement {
    pub alpha: f64,
    pub zorder: u32,
    pub xpos: i32,
    pub ypos: i32,
    pub width: i32,
    pub height: i32,
}

impl Layout {
    /// Whether the layout only names slots that exist.
    pub fn fits(&self, slots: usize) -> bool {
        match *self {
            Self::Single { slot } => slot < slots,
            Self::PictureInPicture { main, inset, size_percent, .. } => {
                main < slots && inset < slots && main != inset && (10..=60).contains(&size_percent)
            }
        }
    }

    /// The placement of every slot for a `width`×`height` program. Hidden slots get alpha 0 (the
    /// compositor skips them).
    pub fn placements(&self, slots: usize, width: u32, height: u32) -> Vec<PadPlacement> {
        let (w, h) = (width as i32, height as i32);
        let hidden = PadPlacement { alpha: 0.0, zorder: 0, xpos: 0, ypos: 0, width: w, height: h };
        let full = PadPlacement { alpha: 1.0, zorder: 1, ..hidden };
        (0..slots)
            .map(|slot| match *self {
                Self::Single { slot: shown } if slot == shown => full,
                Self::PictureInPicture { main, .. } if slot == main => full,
                Self::PictureInPicture { inset, corner, size_percent, .. } if slot == inset => {
                    let inset_w = w * size_percent as i32 / 100;
                    let inset_h = h * size_percent as i32 / 100;
                    let margin = w / 40;
                    let xpos = match corner {
                        Corner::TopLeft | Corner::BottomLeft => margin,
                        Corner::TopRight | Corner::BottomRight => w - inset_w - margin,
                    };
                    let ypos = match corner {
                        Corner::TopLeft | Corner::TopRight => margin,
                        Corner::BottomLeft | Corner::BottomRight => h - inset_h - margin,
                    };
                    PadPlacement { alpha: 1.0, zorder: 2, xpos, ypos, width: inset_w, height: inset_h }
                }
                _ => hidden,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_shows_one_slot_full_frame_and_hides_the_others() {
        let pads = Layout::Single { slot: 1 }.placements(3, 1280, 720);
        assert_eq!(pads.iter().map(|p| p.alpha).collect::<Vec<_>>(), [0.0, 1.0, 0.0]);
        assert_eq!((pads[1].width, pads[1].height, pads[1].xpos, pads[1].ypos), (1280, 720, 0, 0));
    }

    #[test]
    fn picture_in_picture_puts_the_inset_above_in_its_corner() {
        let layout = Layout::PictureInPicture { main: 0, inset: 2, corner: Corner::BottomRight, size_percent: 25 };
        let pads = layout.placements(3, 1280, 720);
        assert_eq!(pads[0].alpha, 1.0);
        assert_eq!(pads[1].alpha, 0.0);
        let inset = pads[2];
        assert!(inset.zorder > pads[0].zorder);
        assert_eq!((inset.width, inset.height), (320, 180));
        assert_eq!((inset.xpos, inset.ypos), (1280 - 320 - 32, 720 - 180 - 32));
    }

    #[test]
    fn layouts_naming_missing_slots_do_not_fit() {
        assert!(!Layout::Single { slot: 3 }.fits(3));
        assert!(!Layout::PictureInPicture { main: 0, inset: 0, corner: Corner::TopLeft, size_percent: 25 }.fits(2));
        assert!(!Layout::PictureInPicture { main: 0, inset: 1, corner: Corner::TopLeft, size_percent: 90 }.fits(2));
        assert!(Layout::PictureInPicture { main: 1, inset: 0, corner: Corner::TopLeft, size_percent: 30 }.fits(2));
    }
}
