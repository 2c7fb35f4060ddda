//! The mouse as a person moves it: a pointer that stays where it was left, a
//! curved path to a random point of the element (`mouse.rs`), the wheel to bring
//! it into view, a short press; every step a trusted `Input.dispatchMouseEvent`.

use chromiumoxide_cdp::cdp::browser_protocol::{
    dom::{GetContentQuadsParams, ScrollIntoViewIfNeededParams},
    input::{DispatchMouseEventParams, DispatchMouseEventType, MouseButton},
};

use super::{BrowserError, LaunchedBrowser, Mode, handles::Node, mouse};
use crate::{pacing::Wait, page::Target};

/// What a person sees of an element: whether the topmost thing at a point (its
/// centre, or `at`) is it, inside it, or its label; the visible box of the nearest
/// ancestor that scrolls it (else the window); how far its centre is below that
/// box's middle.
const VIEW_JS: &str = "(function (el, at) {
  var r = el.getBoundingClientRect();
  var x = at ? at[0] : r.left + r.width / 2, y = at ? at[1] : r.top + r.height / 2;
  function topmost(px, py) {
    var h = document.elementFromPoint(px, py);
    while (h && h.shadowRoot) { var inner = h.shadowRoot.elementFromPoint(px, py); if (!inner || inner === h) break; h = inner; }
    return h;
  }
  function mine(h) {
    if (!h) return false;
    if (h === el || el.contains(h)) return true;
    var label = h.closest ? h.closest('label') : null;
    return !!(label && el.labels && Array.prototype.indexOf.call(el.labels, label) >= 0);
  }
  var shown = x >= 0 && y >= 0 && x <= innerWidth && y <= innerHeight && mine(topmost(x, y));
  var box = null;
  for (var p = el.parentNode || el.host; p && p !== document; p = p.parentNode || p.host) {
    if (p.nodeType !== 1) continue;
    var s = getComputedStyle(p);
    if (/(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight + 1) { box = p; break; }
  }
  var a = box ? box.getBoundingClientRect() : { left: 0, top: 0, width: innerWidth, height: innerHeight };
  var top = Math.max(a.top, 0), bottom = Math.min(a.top + a.height, innerHeight);
  var left = Math.max(a.left, 0), right = Math.min(a.left + a.width, innerWidth);
  return JSON.stringify({ hit: shown, scroller: [left, top, right - left, bottom - top],
                          off: r.top + r.height / 2 - (top + bottom) / 2 });
})";

/// How many points of a path go to the page in one frame when nothing paces them:
/// four, as a mouse polled at 250 Hz gives (a common setting); a path's shortest (10
/// points) is then still three `mousemove`s, each with its coalesced points.
const PER_FRAME: usize = 4;

/// [`VIEW_JS`]'s answer.
#[derive(Debug, Default, serde::Deserialize)]
struct View {
    hit: bool,
    scroller: [f64; 4],
    off: f64,
}
impl LaunchedBrowser {
    /// One mouse event at `at`.
    async fn mouse(
        &self,
        kind: DispatchMouseEventType,
        at: mouse::Point,
        delta_y: Option<f64>,
    ) -> Result<(), BrowserError> {
        let mut event = DispatchMouseEventParams::new(kind.clone(), at.x, at.y);
        match kind {
            DispatchMouseEventType::MousePressed | DispatchMouseEventType::MouseReleased => {
                event.button = Some(MouseButton::Left);
                event.click_count = Some(1);
                event.buttons = Some(i64::from(kind == DispatchMouseEventType::MousePressed));
            }
            DispatchMouseEventType::MouseWheel => {
                event.delta_x = Some(0.0);
                event.delta_y = delta_y;
            }
            _ => {}
        }
        self.timed("move the mouse", self.tab.call(event))
            .await
            .map(drop)
    }

    /// A human wait of the mouse (none at pacing 0).
    pub(super) async fn mouse_wait(&self, wait: Wait) {
        let d = self.pacing.duration(wait);
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }

    /// Where the element is on screen: its first content quad with an area.
    async fn area_of(&self, el: &Node) -> Result<Option<mouse::Area>, BrowserError> {
        let quads = GetContentQuadsParams::builder()
            .object_id(el.object_id.clone())
            .build();
        let quads = self
            .timed("find a clickable point", self.tab.call(quads))
            .await?;
        Ok(quads
            .quads
            .iter()
            .map(|q| q.inner())
            .filter(|q| q.len() == 8)
            .map(|q| {
                let xs = [q[0], q[2], q[4], q[6]];
                let ys = [q[1], q[3], q[5], q[7]];
                let x0 = xs.iter().copied().fold(f64::MAX, f64::min);
                let x1 = xs.iter().copied().fold(f64::MIN, f64::max);
                let y0 = ys.iter().copied().fold(f64::MAX, f64::min);
                let y1 = ys.iter().copied().fold(f64::MIN, f64::max);
                mouse::Area {
                    x: x0,
                    y: y0,
                    width: x1 - x0,
                    height: y1 - y0,
                }
            })
            .find(|a| a.width * a.height > 1.0))
    }

    /// Whether a person sees the element at `at` (the point's topmost element is it,
    /// inside it, or its label), and where the nearest thing that scrolls it is.
    async fn view(&self, el: &Node, at: Option<mouse::Point>) -> Result<View, BrowserError> {
        let at = at.map_or("null".to_owned(), |p| format!("[{}, {}]", p.x, p.y));
        let js = format!("function () {{ return ({VIEW_JS})(this, {at}); }}");
        let value = self.call_on(el, "look at the element", &js).await?;
        Ok(value
            .and_then(|v| serde_json::from_str::<View>(v.as_str()?).ok())
            .unwrap_or_default())
    }

    /// Brings the element into view as a person does: the pointer over what scrolls
    /// it (the form, or the page), the mouse wheel a few notches at a time toward it,
    /// until the element shows; where the wheel moves nothing, the page is scrolled to
    /// it. Its box once visible.
    pub(super) async fn bring_into_view(
        &self,
        el: &Node,
        target: Target,
    ) -> Result<mouse::Area, BrowserError> {
        let missing = || BrowserError::ElementMissing {
            target: target.key(),
        };
        let mut last_off = None;
        for _ in 0..12 {
            let view = self.view(el, None).await?;
            if view.hit {
                return self.area_of(el).await?.ok_or_else(missing);
            }
            if last_off.is_some_and(|off: f64| (off - view.off).abs() < 1.0) {
                break;
            }
            last_off = Some(view.off);
            let [x, y, width, height] = view.scroller;
            let scroller = mouse::Area {
                x,
                y,
                width,
                height,
            };
            if width < 4.0 || height < 4.0 {
                break;
            }
            let pointer = *self.pointer.lock().expect("the pointer");
            let at = if scroller.contains(pointer) {
                pointer
            } else {
                self.move_to(scroller).await?
            };
            let notches = (view.off.abs() / 100.0).ceil().clamp(1.0, 4.0);
            for _ in 0..notches as usize {
                self.acting()?;
                self.mouse(
                    DispatchMouseEventType::MouseWheel,
                    at,
                    Some(100.0 * view.off.signum()),
                )
                .await?;
                self.mouse_wait(Wait::MouseStep).await;
            }
            self.until_still(el).await?;
        }
        if !self.view(el, None).await?.hit {
            let scroll = ScrollIntoViewIfNeededParams::builder()
                .object_id(el.object_id.clone())
                .build();
            self.timed("scroll to the element", self.tab.call(scroll))
                .await?;
        }
        self.area_of(el).await?.ok_or_else(missing)
    }

    /// Waits (a frame or two at a time, 1.5 s at most) until the element stops
    /// moving: a wheel scroll is animated, and a click aimed while it glides lands on
    /// whatever slid under the pointer.
    async fn until_still(&self, el: &Node) -> Result<(), BrowserError> {
        let mut last = None;
        for _ in 0..15 {
            let _ = self
                .evaluate(
                    "wait for the scroll",
                    "new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(r); }); setTimeout(r, 100); })",
                    true,
                )
                .await;
            let now = self.area_of(el).await?;
            if now.is_some() && now == last {
                return Ok(());
            }
            last = now;
        }
        Ok(())
    }

    /// Moves the pointer along a person's path to a random point of `area`.
    pub(super) async fn move_to(&self, area: mouse::Area) -> Result<mouse::Point, BrowserError> {
        let (to, points) = {
            let mut rng = rand::rng();
            let from = *self.pointer.lock().expect("the pointer");
            let to = mouse::aim(area, &mut rng);
            (
                to,
                mouse::path(from, to, area.width.min(area.height), &mut rng),
            )
        };
        // Chromium hands mouse moves to the page once per frame (60 a second),
        // coalescing what arrived since the last: moves sent all at once reach the
        // page as one or two `mousemove`s, a jump, not a path. With no wait between
        // steps (pacing 0: the replica only, refused against LinkedIn) they go
        // `PER_FRAME` at a time, each batch answered once the page had its frame;
        // else one at a time, paced.
        if self.pacing.scale() == 0.0 {
            for batch in points.chunks(PER_FRAME) {
                self.acting()?;
                futures_util::future::try_join_all(
                    batch
                        .iter()
                        .map(|p| self.mouse(DispatchMouseEventType::MouseMoved, *p, None)),
                )
                .await?;
                *self.pointer.lock().expect("the pointer") = batch[batch.len() - 1];
            }
            return Ok(to);
        }
        for p in points {
            self.acting()?;
            self.mouse(DispatchMouseEventType::MouseMoved, p, None)
                .await?;
            *self.pointer.lock().expect("the pointer") = p;
            self.mouse_wait(Wait::MouseStep).await;
        }
        Ok(to)
    }

    /// Moves the mouse to a random point inside the element and clicks there.
    pub async fn click(&self, target: Target) -> Result<(), BrowserError> {
        self.click_node(target).await.map(drop)
    }

    /// [`click`](Self::click), keeping the element for what follows (typing).
    pub(super) async fn click_node(&self, target: Target) -> Result<Node, BrowserError> {
        let _moving = self.spent.moving.timing();
        self.acting()?;
        let el = self.element(target).await?;
        let area = self.bring_into_view(&el, target).await?;
        if self.conn.mode() == Mode::Control {
            // the old way: one move to the centre, then the press
            let centre = mouse::Point {
                x: area.x + area.width / 2.0,
                y: area.y + area.height / 2.0,
            };
            self.mouse(DispatchMouseEventType::MouseMoved, centre, None)
                .await?;
            self.mouse(DispatchMouseEventType::MousePressed, centre, None)
                .await?;
            self.mouse(DispatchMouseEventType::MouseReleased, centre, None)
                .await?;
            return Ok(el);
        }
        let mut at = self.move_to(area).await?;
        // the page may have moved under the way (an animation, a late scroll) or
        // something may cover the point: a person's eye corrects before pressing
        for _ in 0..2 {
            if self.view(&el, Some(at)).await?.hit {
                break;
            }
            match self.area_of(&el).await? {
                Some(now) => at = self.move_to(now).await?,
                None => break,
            }
        }
        self.acting()?;
        self.mouse(DispatchMouseEventType::MousePressed, at, None)
            .await?;
        self.mouse_wait(Wait::MouseHold).await;
        self.mouse(DispatchMouseEventType::MouseReleased, at, None)
            .await?;
        Ok(el)
    }
}
