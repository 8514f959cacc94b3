"""The bulk import over HTTP: `POST /api/imports` (multipart), curators only, problems not 500s.

`api` (tests/e2e/conftest.py) is the app over an empty archive on each store, with curators
anna and bram and researcher rita.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"
STORIES = (FIXTURES / "verhalen.csv").read_bytes()
MEDIA = (FIXTURES / "media.csv").read_bytes()


def _sheet(data: bytes, name: str = "verhalen.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"sheet": (name, data, "text/csv")}


def test_a_dry_run_lists_what_would_be_added_and_writes_nothing(api) -> None:
    before = api.archive.position()
    response = api.post(
        "/api/imports?kind=stories&dry_run=true", files=_sheet(STORIES), headers=api.curator
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["dry_run"] is True and report["imported"] is False
    assert [i["ref"] for i in report["items"]] == ["stories/0101", "stories/0102", "stories/0103"]
    assert [i["consent"] for i in report["items"]] == ["public", "research", "curators"]
    assert report["errors"] == []
    assert api.archive.position() == before


def test_an_import_adds_every_row_and_the_stories_are_readable(api) -> None:
    response = api.post("/api/imports?kind=stories", files=_sheet(STORIES), headers=api.curator)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["imported"] is True and report["total"] == 3
    assert int(response.headers["X-Archive-Position"]) == report["position"]
    story = api.get("/api/stories/0101").json()  # public by its consent column
    assert story["storytellers"] == ["Fatima El Amrani"] and story["date"] == "2020-23"
    # No consent in the sheet: curators only.
    api.problem(api.get("/api/stories/0103", headers=api.researcher), 404)
    assert api.get("/api/stories/0103", headers=api.curator).status_code == 200


def test_a_sheet_with_errors_is_refused_whole_with_every_error_by_row(api) -> None:
    bad = STORIES.replace(b"najaar 2020", b"najaar 2020x") + b"0104;;Tekst;;;;;;\n"
    before = api.archive.position()
    # The dry run answers 200 with the errors; the import 422, and writes nothing.
    dry = api.post(
        "/api/imports?kind=stories&dry_run=true", files=_sheet(bad), headers=api.curator
    ).json()
    assert [(e["row"], e["column"]) for e in dry["errors"]] == [(2, "datum"), (5, "titel")]
    refused = api.problem(
        api.post("/api/imports?kind=stories", files=_sheet(bad), headers=api.curator), 422
    )
    assert "niets geïmporteerd" in refused["detail"]
    assert refused["errors"] == dry["errors"]
    assert api.archive.position() == before


def test_media_with_a_zip_of_files(api) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (80, 60), "blue").save(photo, "PNG")
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("fotos/gaffelstraat.png", photo.getvalue())
    files = {
        **_sheet(MEDIA, "media.csv"),
        "files": ("fotos.zip", bundle.getvalue(), "application/zip"),
    }
    response = api.post("/api/imports?kind=media", files=files, headers=api.curator)
    assert response.status_code == 201, response.text
    assert [f["attached"] for f in response.json()["files"]] == [True]
    media = api.get("/api/media/foto-gaffelstraat-2020", headers=api.curator).json()
    assert media["files"][0]["content_type"] == "image/png"


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ({"sheet": ("blad.xlsx", b"PK\x03\x04 broken", "application/octet-stream")}, 422),
        ({"sheet": ("blad.csv", b"", "text/csv")}, 422),
        ({"sheet": ("blad.csv", b"\x00\xff\x00binary", "text/csv")}, 422),
        ({"sheet": ("blad.xls", b"\xd0\xcf\x11\xe0", "application/vnd.ms-excel")}, 422),
        ({"other": ("x.csv", b"a,b\n", "text/csv")}, 422),
        (
            {
                "sheet": ("m.csv", MEDIA, "text/csv"),
                "files": ("f.zip", b"no zip", "application/zip"),
            },
            422,
        ),
    ],
)
def test_a_malformed_upload_is_a_problem_never_a_500(api, files, status) -> None:
    response = api.post("/api/imports?kind=media&dry_run=true", files=files, headers=api.curator)
    api.problem(response, status)


def test_a_damaged_file_in_the_zip_is_an_error_of_its_row(api) -> None:
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("gaffelstraat.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    data = bytearray(bundle.getvalue())
    data[60:90] = b"\xff" * 30  # inside the compressed bytes of the member
    files = {**_sheet(MEDIA, "media.csv"), "files": ("f.zip", bytes(data), "application/zip")}
    response = api.post("/api/imports?kind=media&dry_run=true", files=files, headers=api.curator)
    assert response.status_code == 200, response.text
    (error,) = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "files")
    assert "niet te lezen" in error["message"]


def test_only_curators_import(api) -> None:
    api.problem(api.post("/api/imports?kind=stories", files=_sheet(STORIES)), 401)
    api.problem(
        api.post("/api/imports?kind=stories", files=_sheet(STORIES), headers=api.researcher), 403
    )
    api.problem(
        api.post("/api/imports?kind=episodes", files=_sheet(STORIES), headers=api.curator), 422
    )


def test_a_body_over_the_ordinary_limit_is_accepted_for_an_import(api) -> None:
    # A sheet of 2 MB (the API's other bodies stop at 1 MiB); 4,000 rows of one long text.
    rows = b"".join(b"%04d;Titel %d;%s\n" % (n, n, b"x" * 500) for n in range(1, 4001))
    sheet = b"nummer;titel;tekst\n" + rows
    assert len(sheet) > 2_000_000
    response = api.post(
        "/api/imports?kind=stories&dry_run=true", files=_sheet(sheet), headers=api.curator
    )
    assert response.status_code == 200, response.text[:300]
    assert response.json()["total"] == 4000


def test_the_import_is_in_the_openapi_document(api) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/api/imports"]["post"]
    assert {"200", "201", "401", "403", "413", "422"} <= set(operation["responses"])
    assert "multipart/form-data" in operation["requestBody"]["content"]


def test_the_dry_run_shows_each_date_as_the_archive_reads_it(api) -> None:
    """A curator checks how "najaar 2020" in the sheet was read before importing: the report
    (JSON and page) names each row's date; the page in words."""
    from tests.e2e.test_list_pages import SAME_SITE, logged_in

    dry = api.post(
        "/api/imports?kind=stories&dry_run=true", files=_sheet(STORIES), headers=api.curator
    )
    assert [i["date"] for i in dry.json()["items"]] == ["2020-23", "2020-04", "2021"]
    browser = logged_in(api, "curator", "carla")
    page = browser.post(
        "/importeren", data={"kind": "stories", "action": "controleren"},
        files=_sheet(STORIES), headers=SAME_SITE,
    )  # fmt: skip
    assert page.status_code == 200, page.text
    assert '<th scope="col">Datum</th>' in page.text
    assert "<td>najaar 2020</td>" in page.text and "<td>april 2020</td>" in page.text
    browser.close()
