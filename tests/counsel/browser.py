"""Helpers of the workspace's browser tests: axe-core, screenshots, keyboard-only navigation."""

from __future__ import annotations

from tests.web.widget import artifacts_dir

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe(page) -> list[dict]:
    return page.evaluate("""async (tags) => {
      const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' > '))}));
    }""", WCAG)


def check(page, name: str, seen: dict[str, list]) -> None:
    page.wait_for_load_state("load")
    seen[name] = axe(page)
    page.screenshot(path=str(artifacts_dir() / f"counsel-{name}.png"), full_page=True, caret="initial")


def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab (only) until the element matching `selector` has the focus."""
    target = page.locator(selector).first
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def follow(page, selector: str, url: str, timeout: float = 30_000) -> None:
    """Tab to a link or button, press Enter, wait for the page `url` (a glob)."""
    tab_to(page, selector)
    page.keyboard.press("Enter")
    page.wait_for_url(url, timeout=timeout)


def keyboard_login(page, base_url: str, email: str, password: str) -> None:
    """Log in with the keyboard only, from the login page to the cases."""
    page.goto(base_url + "/connexion")
    tab_to(page, "#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/conseil/dossiers")
