//! Where a person's mouse goes: a point to aim at inside an element's visible box
//! (not its centre), and the path there from wherever the pointer is — a curved
//! (cubic Bézier) path with a minimum-jerk speed profile (slow, fast, slow), more
//! steps for longer moves and smaller targets (Fitts's law), and on long moves a
//! small overshoot and a correction. Pure functions of their inputs and a random
//! source, so a seeded source gives the same path and tests can check its shape.

use rand::{Rng, RngExt as _};

/// A point in CSS pixels of the viewport.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// from the left
    pub x: f64,
    /// from the top
    pub y: f64,
}

/// An element's box on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// left
    pub x: f64,
    /// top
    pub y: f64,
    /// width
    pub width: f64,
    /// height
    pub height: f64,
}

impl Area {
    /// Whether `p` lies inside.
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.x + self.width && p.y >= self.y && p.y <= self.y + self.height
    }
}

/// A point to click inside `area`: anywhere in its inner part, more often near the
/// middle (the mean of two uniform draws), never its exact centre by rule.
pub fn aim(area: Area, rng: &mut impl Rng) -> Point {
    let mut along = |start: f64, size: f64| {
        let margin = (size * 0.15).min(8.0);
        let inner = (size - 2.0 * margin).max(0.0);
        let u = (rng.random::<f64>() + rng.random::<f64>()) / 2.0;
        start + margin + u * inner
    };
    Point {
        x: along(area.x, area.width),
        y: along(area.y, area.height),
    }
}

/// How many steps a move of `distance` to a target `width` wide takes: Fitts's
/// index of difficulty (log2(D/W + 1)), plus the distance itself.
pub fn steps_for(distance: f64, width: f64) -> usize {
    let difficulty = (distance / width.max(1.0) + 1.0).log2();
    (10.0 + 3.0 * difficulty + distance / 50.0).clamp(10.0, 90.0) as usize
}

/// The minimum-jerk profile: where a hand is at time `t` of a move (0 to 1).
fn ease(t: f64) -> f64 {
    t * t * t * (10.0 - 15.0 * t + 6.0 * t * t)
}

/// A curved stretch from `from` to `to` in `steps` points (`from` left out, `to` last).
fn curve(from: Point, to: Point, steps: usize, rng: &mut impl Rng) -> Vec<Point> {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let distance = dx.hypot(dy).max(1.0);
    // control points off the straight line, to one side or both, by up to a third
    let (nx, ny) = (-dy / distance, dx / distance);
    let mut bend = || rng.random_range(-0.3..=0.3) * distance.min(600.0);
    let (b1, b2) = (bend(), bend());
    let (t1, t2) = (rng.random_range(0.2..0.4), rng.random_range(0.6..0.8));
    let c1 = Point {
        x: from.x + dx * t1 + nx * b1,
        y: from.y + dy * t1 + ny * b1,
    };
    let c2 = Point {
        x: from.x + dx * t2 + nx * b2,
        y: from.y + dy * t2 + ny * b2,
    };
    (1..=steps)
        .map(|i| {
            let t = ease(i as f64 / steps as f64);
            let u = 1.0 - t;
            let mut p = Point {
                x: u * u * u * from.x
                    + 3.0 * u * u * t * c1.x
                    + 3.0 * u * t * t * c2.x
                    + t * t * t * to.x,
                y: u * u * u * from.y
                    + 3.0 * u * u * t * c1.y
                    + 3.0 * u * t * t * c2.y
                    + t * t * t * to.y,
            };
            // a hand's tremor, never on the last point
            if i < steps {
                p.x += rng.random_range(-0.6..=0.6);
                p.y += rng.random_range(-0.6..=0.6);
            }
            p
        })
        .collect()
}

/// The pointer's path from `from` to `to`, a point of a target `width` wide: every
/// point the mouse passes, `to` last. Long moves (over 300 px) overshoot by a few
/// pixels and come back.
pub fn path(from: Point, to: Point, width: f64, rng: &mut impl Rng) -> Vec<Point> {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let distance = dx.hypot(dy);
    let steps = steps_for(distance, width) + rng.random_range(0..=3);
    if distance <= 300.0 {
        return curve(from, to, steps, rng);
    }
    let over = (distance * rng.random_range(0.02..0.05)).min(18.0);
    let past = Point {
        x: to.x + dx / distance * over + rng.random_range(-3.0..=3.0),
        y: to.y + dy / distance * over + rng.random_range(-3.0..=3.0),
    };
    let mut points = curve(from, past, steps, rng);
    let back = rng.random_range(4..=7);
    points.extend(curve(past, to, back, rng));
    points
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;

    use super::*;

    fn rng(seed: u64) -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(seed)
    }

    const BUTTON: Area = Area {
        x: 600.0,
        y: 700.0,
        width: 120.0,
        height: 32.0,
    };

    #[test]
    fn every_path_ends_inside_the_box_and_no_two_are_alike() {
        let from = Point { x: 40.0, y: 60.0 };
        let mut seen: Vec<Vec<Point>> = Vec::new();
        for seed in 0..200 {
            let mut r = rng(seed);
            let to = aim(BUTTON, &mut r);
            assert!(BUTTON.contains(to), "{to:?}");
            let centre = Point {
                x: BUTTON.x + BUTTON.width / 2.0,
                y: BUTTON.y + BUTTON.height / 2.0,
            };
            assert_ne!(to, centre);
            let p = path(from, to, BUTTON.width, &mut r);
            assert_eq!(*p.last().unwrap(), to, "the path ends where it aimed");
            assert!(
                p.len() >= 10,
                "a person's mouse makes many moves: {}",
                p.len()
            );
            // each step is a step, not a jump across the screen
            let mut last = from;
            for q in &p {
                assert!(
                    (q.x - last.x).hypot(q.y - last.y) < 200.0,
                    "{q:?} after {last:?}"
                );
                last = *q;
            }
            assert!(!seen.contains(&p), "two paths alike (seed {seed})");
            seen.push(p);
        }
        // the same seed gives the same path
        let mut a = rng(7);
        let mut b = rng(7);
        let (ta, tb) = (aim(BUTTON, &mut a), aim(BUTTON, &mut b));
        assert_eq!(path(from, ta, 120.0, &mut a), path(from, tb, 120.0, &mut b));
    }

    #[test]
    fn farther_and_smaller_targets_take_more_steps() {
        assert!(steps_for(800.0, 100.0) > steps_for(100.0, 100.0));
        assert!(steps_for(400.0, 12.0) > steps_for(400.0, 200.0));
        let from = Point { x: 10.0, y: 10.0 };
        let mean = |to: Point| {
            (0..50)
                .map(|s| path(from, to, 100.0, &mut rng(s)).len())
                .sum::<usize>()
                / 50
        };
        assert!(mean(Point { x: 900.0, y: 700.0 }) > mean(Point { x: 60.0, y: 40.0 }));
    }

    #[test]
    fn a_long_move_overshoots_and_comes_back() {
        let from = Point { x: 0.0, y: 400.0 };
        let to = Point { x: 900.0, y: 400.0 };
        let p = path(from, to, 80.0, &mut rng(3));
        let farthest = p.iter().map(|q| q.x).fold(f64::MIN, f64::max);
        assert!(farthest > to.x, "it went past the target: {farthest}");
        assert_eq!(*p.last().unwrap(), to);
    }
}
