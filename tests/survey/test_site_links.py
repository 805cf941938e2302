"""The survey as part of the public site: a tab icon on every page, and the thank-you page
leads back to the topic's guide."""

from __future__ import annotations

from generator.site.render.pages import topic_dir
from tests.survey.conftest import TOPIC, URL, WAVE, CheckingClient, state_of

PAGES = ["/", "/privacy/", URL, "/staff/login/"]


def test_every_page_names_an_icon_that_is_served(page_client: CheckingClient) -> None:
    for url in PAGES:
        icon = page_client.get(url).soup.select_one("link[rel=icon]")
        assert icon is not None, url  # else browsers ask for /favicon.ico, which is a 404
        with page_client.client.get(str(icon["href"])) as served:
            assert served.status_code == 200, icon["href"]
            assert served.mimetype == "image/svg+xml"


def test_the_thank_you_page_links_back_to_the_topics_guide(page_client: CheckingClient) -> None:
    done = page_client.post(URL, page_client.form(URL))
    thanks = page_client.get(done.response.headers["Location"])
    topic = next(
        t for t in state_of(page_client.client.application).content.topics if t.slug == TOPIC
    )
    links = {a["href"]: a.get_text() for a in thanks.soup.select("main a")}
    guide = f"/{topic_dir(topic)}/"
    assert guide in links and topic.title in links[guide], links
    assert WAVE in done.response.headers["Location"]
