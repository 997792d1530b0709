"""Browsers ask every site for /favicon.ico: it answers with our icon, and every page links
the icon itself."""

from django.contrib.staticfiles import finders


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")


def test_every_page_links_the_icon(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
