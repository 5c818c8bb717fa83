"""The harness itself must be able to fail: the audit and the layout check catch real faults."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.support import (
    SMALL_PHONE,
    LiveServer,
    assert_accessible,
    assert_no_horizontal_scroll,
    phone_context,
)

# An image with no text alternative and a box with no label: both "critical" in axe-core.
BROKEN = """() => {
    const main = document.querySelector('main');
    main.insertAdjacentHTML('beforeend',
        '<img src="/static/none.png"><input type="text" name="unlabelled">');
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_the_audit_fails_a_page_with_serious_violations(
    browser: Browser, live_server: LiveServer, javascript: bool
) -> None:
    context = phone_context(browser, javascript=javascript)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login")
        assert_accessible(page)  # the page as served passes
        page.evaluate(BROKEN)
        with pytest.raises(AssertionError) as failed:
            assert_accessible(page)
        assert "image-alt (critical)" in str(failed.value)
        assert "label (critical)" in str(failed.value)
    finally:
        context.close()


# Lesser faults fail too: text outside every landmark ("region", moderate) and a heading that
# skips levels ("heading-order", moderate), and an empty table header ("empty-table-header", minor).
LESSER = """() => {
    document.body.insertAdjacentHTML('afterbegin', '<div>Text outside every landmark</div>');
    document.querySelector('main').insertAdjacentHTML('beforeend',
        '<h5>Skipped levels</h5><table><tr><th></th><td>1</td></tr></table>');
}"""


def test_the_audit_fails_a_page_with_moderate_or_minor_violations(
    browser: Browser, live_server: LiveServer
) -> None:
    context = phone_context(browser)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login")
        assert_accessible(page)
        page.evaluate(LESSER)
        with pytest.raises(AssertionError) as failed:
            assert_accessible(page)
        found = str(failed.value)
        assert "region (moderate)" in found, found
        assert "heading-order (moderate)" in found, found
        assert "empty-table-header (minor)" in found, found
    finally:
        context.close()


def test_the_layout_check_fails_a_page_wider_than_the_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    context = phone_context(browser, viewport=SMALL_PHONE)
    try:
        page: Page = context.new_page()
        page.goto(live_server.url + "/login")
        assert_no_horizontal_scroll(page)
        page.evaluate(
            "() => document.querySelector('main').insertAdjacentHTML("
            "'beforeend', '<pre id=\"wide\">' + 'x'.repeat(200) + '</pre>')"
        )
        with pytest.raises(AssertionError, match=r"scrolls sideways by \d+px.*pre#wide"):
            assert_no_horizontal_scroll(page)
    finally:
        context.close()
