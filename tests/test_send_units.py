"""The send step's parts, in process: settings, addresses, templates, the log.

The end-to-end tests through build.py are in test_send.py.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import logging
import shutil
from email.headerregistry import Address
from email.policy import SMTP

import pytest

from conftest import DEMO, REPO
from meetingdocs.errors import ExitCode
from meetingdocs.send import compose, headers, readback
from meetingdocs.send.errors import SendError, SendSourceError, UnsafeMessageError
from meetingdocs.send.ledger import Ledger
from meetingdocs.send.plan import CHANGED, NEW, SENT, check_settings, deliver, prepare, write_previews
from meetingdocs.send.settings import Settings, load_settings
from test_send_support import (  # noqa: F401 - fixtures
    PASSWORD,
    attachment_names,
    certificate,
    make_pdf,
    server_context,
    smtp,
    smtp_env,
    work,
)


def plan_for(work, env, what="kallelse", **options):
    return prepare(work.sources, DEMO, what, work.out, env=env, **options)


# ------------------------------------------------------------------ settings


def test_settings_file_and_environment(tmp_path):
    (tmp_path / "utskick.yaml").write_text(
        "server: smtp.example.org\nport: 465\nsäkerhet: SSL\nanvändare: jessica\n"
        "avsändare: GNS <gns@example.org>\nstorleksgräns: 10\nlänk: https://example.org/{datum}/{fil}\n"
        "tidsgrans: 5\nokänt: 1\n", encoding="utf-8")
    settings, warnings = load_settings(tmp_path, {"MEETINGDOCS_SMTP_PASSWORD": PASSWORD})
    assert (settings.host, settings.effective_port, settings.security, settings.user) == \
        ("smtp.example.org", 465, "ssl", "jessica")
    assert settings.size_limit == 10_000_000 and settings.timeout == 5.0
    assert settings.sender == "GNS <gns@example.org>" and settings.link.endswith("{fil}")
    assert [w.field for w in warnings] == ["okänt"]
    assert PASSWORD not in repr(settings) and PASSWORD not in settings.describe()

    overridden, _ = load_settings(tmp_path, {"MEETINGDOCS_SMTP_HOST": "127.0.0.1", "MEETINGDOCS_SMTP_PORT": "2525",
                                             "MEETINGDOCS_SMTP_SECURITY": "starttls"})
    assert (overridden.host, overridden.effective_port, overridden.security) == ("127.0.0.1", 2525, "starttls")

    defaults, _ = load_settings(tmp_path / "saknas", {})
    assert defaults.size_limit == 15_000_000 and defaults.security == "starttls" and defaults.effective_port == 587


def test_bad_settings_name_the_file_field_or_variable(tmp_path):
    (tmp_path / "utskick.yaml").write_text("port: tjugofem\nsäkerhet: kanske\nlösenord: hemligt\n", encoding="utf-8")
    with pytest.raises(SendSourceError) as caught:
        load_settings(tmp_path, {"MEETINGDOCS_SMTP_PORT": "0"})
    message = caught.value.message
    assert caught.value.exit_code == ExitCode.input_invalid
    assert "utskick.yaml" in message and "fältet 'port'" in message and "fältet 'säkerhet'" in message
    assert "fältet 'lösenord'" in message and "MEETINGDOCS_SMTP_PASSWORD" in message
    assert "hemligt" not in message
    assert "miljövariabeln MEETINGDOCS_SMTP_PORT" in message


def test_password_rules_before_connecting():
    with pytest.raises(SendError, match="server:"):
        check_settings(Settings())
    with pytest.raises(SendError, match="MEETINGDOCS_SMTP_PASSWORD"):
        check_settings(Settings(host="127.0.0.1", user="jessica"))
    with pytest.raises(SendError, match="okrypterat"):
        check_settings(Settings(host="127.0.0.1", user="jessica", security="ingen", password=PASSWORD))


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize("address", ["a@example.org", "ann-marie.johansson@example.org", "x+y@sub.example.se"])
def test_good_addresses(address):
    assert compose.check_address(address) is None


@pytest.mark.parametrize("address", ["", "a@example", "a b@example.org", "a@exa mple.org", "åsa@example.org",
                                     "a@-example.org", "a@example..org", "a@example.org\r\nBcc: b@example.org",
                                     "<a@example.org>", "a@b@example.org"])
def test_bad_addresses(address):
    assert compose.check_address(address) is not None


def test_attachment_names_keep_aao_and_paragraph_sign():
    day = dt.date(2020, 12, 11)
    assert compose.attachment_name("kallelse", "Nämnden Åre/Östersund", day) == \
        "Kallelse Nämnden Åre-Östersund 2020-12-11.pdf"
    assert compose.attachment_name("utdrag", "GNS", day, (44,)) == "Protokollsutdrag GNS 2020-12-11 § 44.pdf"
    assert compose.date_text(day) == "fredag 11 december 2020"


def test_values_from_sources_are_never_evaluated(work):
    work.edit("2020-12-11/mote.yaml", "plats: Lillsjöhögen, Via Teams", "plats: \"{{ 7*7 }} {% if x %}\"")
    plan = plan_for(work, smtp_env(25))
    body = plan.messages[0].body
    assert "Plats: {{ 7*7 }} {% if x %}" in body


def test_committee_template_override_and_template_errors(work, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates" / "epost", templates / "epost")
    own = templates / "gns" / "epost" / "kallelse.txt"
    own.parent.mkdir(parents=True)
    own.write_text("Ämne: Möte {{ kortnamn }} {{ datum_text }}\n\n{{ mottagare.namn }}: {{ plats }}\n",
                   encoding="utf-8")
    plan = plan_for(work, smtp_env(25), templates=templates)
    assert plan.messages[0].subject == "Möte GNS fredag 11 december 2020"
    assert plan.messages[0].body == "Robert Hamberg: Lillsjöhögen, Via Teams\n"

    own.write_text("Hej {{ namnd }}\n", encoding="utf-8")
    with pytest.raises(SendSourceError, match="Ämne:") as caught:
        plan_for(work, smtp_env(25), templates=templates)
    assert "gns/epost/kallelse.txt" in caught.value.message and "rad 1" in caught.value.message

    own.write_text("Ämne: x\n\n{{ kortnamn.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    with pytest.raises(SendSourceError) as caught:
        plan_for(work, smtp_env(25), templates=templates)
    assert "kallelse.txt" in caught.value.message

    own.write_text("Ämne: x\n\n{% for %}\n", encoding="utf-8")
    with pytest.raises(SendSourceError, match="syntaxfel") as caught:
        plan_for(work, smtp_env(25), templates=templates)
    assert "rad 3" in caught.value.message

    own.write_text("Ämne: {{ okänd }}\n\nx\n", encoding="utf-8")
    with pytest.raises(SendSourceError, match="okänd"):
        plan_for(work, smtp_env(25), templates=templates)


# ------------------------------------------------------------------ roster


def test_extra_recipients_of_a_kallelse_with_secrets_are_named_in_a_warning(work, caplog):
    work.edit("2020-12-11/mote.yaml", "föredragningslista:",
              "extra mottagare:\n  - namn: Lokaltidningen\n    e-post: red@example.org\nföredragningslista:")
    with caplog.at_level(logging.WARNING):
        plan_for(work, smtp_env(25))
    assert not [r for r in caplog.records if "sekretess" in r.getMessage()]  # nothing is marked secret yet

    work.edit("2020-12-11/budget-2021.md", "dnr: GNS/8/2020", "dnr: GNS/8/2020\nsekretess: OSL 19 kap. 1 §")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        plan = plan_for(work, smtp_env(25))
    warning, = [r.getMessage() for r in caplog.records if "sekretess" in r.getMessage()]
    assert "Lokaltidningen" in warning and "mote.yaml" in warning and "publik/kallelse.pdf" in warning
    assert "red@example.org" in [m.recipient.address for m in plan.messages]  # a warning, the secretary decides


def test_roster_dedupes_and_includes_extra_recipients(work, caplog):
    work.edit("2020-12-11/mote.yaml", "föredragningslista:",
              "extra mottagare:\n  - namn: Revisorerna\n    e-post: revisorerna@example.org\n"
              "  - namn: Robert H\n    e-post: Robert.Hamberg@example.org\nföredragningslista:")
    work.edit("namnder/gns.yaml", "        e-post: mats.gard@example.org\n", "")
    with caplog.at_level(logging.WARNING):
        plan = plan_for(work, smtp_env(25))
    addresses = [m.recipient.address.lower() for m in plan.messages]
    assert len(addresses) == len(set(addresses)) == 18  # 17 with e-mail + revisorerna
    assert "revisorerna@example.org" in addresses
    assert "Mats Gärd (ersättare)" in plan.without_email
    assert any("Mats Gärd" in r.getMessage() for r in caplog.records)


def test_sandlista_for_another_meeting_is_refused(work):
    work.protokoll()
    path = work.packet / "utdrag" / "sandlista.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "datum": "2020-11-13"}), encoding="utf-8")
    with pytest.raises(SendError, match="make protokoll"):
        plan_for(work, smtp_env(25), what="utdrag")


def test_link_without_file_placeholder_is_one_link(work):
    make_pdf(work.kallelse, "Kallelse", padding=60_000)
    work.settings("storleksgräns: 0.1\nlänk: https://www.example.org/namnder/{nämnd}/{datum}\n")
    plan = plan_for(work, smtp_env(25))
    assert all(m.link for m in plan.messages)
    assert "https://www.example.org/namnder/gns/2020-12-11\n" in plan.messages[0].body


# ------------------------------------------------------------------ server


def test_server_size_limit_stops_before_sending(work, smtp):
    server = smtp(data_size_limit=2000)  # announced in EHLO as SIZE 2000
    plan = plan_for(work, server.env())
    with pytest.raises(SendError, match="storleksgräns"):
        deliver(plan)
    assert server.received == [] and work.log_lines() == []


def test_implicit_tls(work, smtp, certificate):
    server = smtp(implicit_tls=server_context(certificate))
    plan = plan_for(work, server.env(MEETINGDOCS_SMTP_CAFILE=str(certificate[0])))
    report = deliver(plan)
    assert report.complete and len(report.sent) == 18 == len(server.received)


def test_statuses_from_the_log_and_a_cut_off_last_line(work, smtp, caplog):
    server = smtp()
    env = server.env()
    plan = plan_for(work, env)
    report = deliver(plan, progress=lambda message, outcome: None)
    assert len(report.sent) == 18
    ledger = Ledger(work.packet)
    lines = ledger.path.read_text(encoding="utf-8").splitlines(keepends=True)
    ledger.path.write_text("".join(lines[:-1]) + lines[-1][:30], encoding="utf-8")  # crash mid-write
    with caplog.at_level(logging.WARNING):
        again = plan_for(work, env)
    assert [m.status for m in again.messages] == [SENT] * 17 + [NEW]
    assert any("skickat.jsonl" in r.getMessage() for r in caplog.records)
    assert len(deliver(again).sent) == 1
    make_pdf(work.kallelse, "Ny version")
    assert {m.status for m in plan_for(work, env).messages} == {CHANGED}


def test_only_one_send_at_a_time(work):
    ledger = Ledger(work.packet)
    with ledger.locked():
        with pytest.raises(SendError, match="pågår redan"):
            with ledger.locked():
                pass


def test_previews_replace_the_previous_ones(work):
    plan = plan_for(work, smtp_env(25))
    folder = write_previews(plan)
    (folder / "99-gammal.eml").write_text("x")
    assert write_previews(plan) == folder
    assert len(list(folder.iterdir())) == 18
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("size", [0, 1, 57, 58, 100_003])
def test_spliced_attachments_are_byte_identical_to_the_email_generator(size):
    import os
    import re

    data = os.urandom(size)
    parts = [compose.Part("Protokollsutdrag GNS 2020-12-11 § 44.pdf", data), compose.Part("b.pdf", b"%PDF-1.4")]
    direct = compose.build_message(parts=parts, **HEADERS).as_bytes()
    spliced = compose.message_bytes(parts=parts, **HEADERS)
    boundary = re.compile(rb"=+\d{19}==")
    assert boundary.sub(b"B", direct) == boundary.sub(b"B", spliced)


def test_configured_sender_with_reply_to_the_secretary(work, smtp):
    work.settings("avsändare: Nämndsekretariatet <namnd@example.org>\n")
    server = smtp()
    plan = plan_for(work, server.env())
    assert deliver(plan).complete
    message = server.received[0].message
    assert server.received[0].mail_from == "namnd@example.org"
    assert str(message["From"]) == "Nämndsekretariatet <namnd@example.org>"
    assert message["Reply-To"].addresses[0].addr_spec == "jessica.hadell@example.org"

    work.settings('avsändare: "Namnd\\r\\nBcc: evil@example.org <namnd@example.org>"\n')
    with pytest.raises(SendSourceError, match="radbrytning"):
        plan_for(work, server.env())
    (work.sources / "utskick.yaml").unlink()
    with pytest.raises(SendSourceError, match="MEETINGDOCS_SMTP_FROM"):
        plan_for(work, server.env(MEETINGDOCS_SMTP_FROM="inte en adress"))


@pytest.mark.parametrize("sender", ['"=?utf-8?q?GNS=0D=0ABcc:_evil@example.org?=" <namnd@example.org>',
                                    "namnd@example.org (=?utf-8?b?R05TDQpCY2M6IGV2aWxAZXhhbXBsZS5vcmc=?=)",
                                    "=?utf-8?q?Nämndsekretariatet?= <namnd@example.org>"])
def test_encoded_word_in_the_sender_name_is_refused(work, sender):
    work.settings(f"avsändare: '{sender}'\n")
    with pytest.raises(SendSourceError) as caught:
        plan_for(work, smtp_env(25))
    message = caught.value.message
    assert "utskick.yaml" in message and "fältet 'avsändare'" in message and "avsändarens namn" in message
    assert "kodad e-posttext" in message and "utan '=?' och '?='" in message
    (work.sources / "utskick.yaml").unlink()
    with pytest.raises(SendSourceError, match="miljövariabeln MEETINGDOCS_SMTP_FROM: avsändarens namn"):
        plan_for(work, smtp_env(25, MEETINGDOCS_SMTP_FROM=sender))


def test_subject_problem_names_the_value_that_brought_it_in(work, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates" / "epost", templates / "epost")
    own = templates / "gns" / "epost" / "kallelse.txt"
    own.parent.mkdir(parents=True)
    own.write_text("Ämne: {{ punkter[0].rubrik }}\n\nHej!\n", encoding="utf-8")
    work.edit("2020-12-11/mote.yaml", "  - Fastställande av föredragningslista",
              '  - "=?utf-8?q?Fastst=C3=A4llande=E2=80=A8Bcc:_evil@example.org?="')
    with pytest.raises(SendSourceError) as caught:
        plan_for(work, smtp_env(25), templates=templates)
    message = caught.value.message
    assert "gns/epost/kallelse.txt" in message and "rad 1" in message
    assert "{{ punkter[0].rubrik }}" in message and "Fastställande\\u2028Bcc" in message


# ------------------------------------------------------------ header encoding


@pytest.mark.parametrize("text", [
    "=?utf-8?q?Robert=0D=0ABcc:_x@example.org?=",
    "=?UTF-8?Q?Robert=0ABcc:_x@example.org?=",
    "=?utf-8?b?Um9iZXJ0DQpCY2M6IHhAZXhhbXBsZS5vcmc=?=",
    "=?iso-8859-1?q?=E5=0D=0A?=",
    "=?utf-16?b?DQAKAA==?=",  # any charset
    "=?utf-7?q?+AA0-?=",
    "=?x-unknown?q?a=0Db?=",
    "=?utf-8*sv?q?a=0A?=",  # RFC 2231 language
    "Robert =?utf-8?q?=E2=80=A8?=Hamberg",  # U+2028 inside
    "=?utf-8?b?PT91dGYtOD9xP1I9MEQ9MEFCY2M6X3g/PQ==?=",  # encoded twice
])
def test_encoded_words_that_decode_to_a_line_break_are_refused(text):
    reason = headers.problem(text)
    assert reason is not None and "kodad e-posttext" in reason and "radbrytning" in reason


@pytest.mark.parametrize("text", ["=?utf-8?q?Robert?=", "Robert =?utf-8?q?Hamberg?=", "a=?b?=c", "=?"+"?="])
def test_anything_like_an_encoded_word_is_refused(text):
    assert "ser ut som kodad e-posttext" in headers.problem(text)


@pytest.mark.parametrize("text", ["a\r\nBcc: x", "a\r\n b", "a\u2028b", "a\u2029b", "a\x85b", "a\x0bb", "a\x0cb",
                                  "a\x1cb", "a\tb", "a\x00b", "a\x7fb", "a\u202eb", "a\ud800b"])
def test_line_breaks_and_control_characters_are_refused(text):
    assert "radbrytning eller ett annat osynligt styrtecken" in headers.problem(text)


@pytest.mark.parametrize("text", ["Robert Hamberg", "Ann-Marie Öberg (S), ordförande", 'Bo "Bosse" Ek', "a = b? ja",
                                  "Protokollsutdrag GNS 2020-12-11 §§ 44, 46", "x" * 300])
def test_ordinary_texts_pass(text):
    assert headers.problem(text) is None


def test_attachment_with_paragraph_sign_has_both_file_names():
    folded = headers.disposition_header("Protokollsutdrag GNS 2020-12-11 § 44.pdf").fold(policy=SMTP)
    assert folded == ('Content-Disposition: attachment;\r\n'
                      ' filename="Protokollsutdrag GNS 2020-12-11 par 44.pdf";\r\n'
                      " filename*0*=utf-8''Protokollsutdrag%20GNS%202020-12-11%20%C2%A7%20;\r\n"
                      " filename*1*=44.pdf\r\n")
    assert all(len(line) <= 78 for line in folded.split("\r\n"))
    assert headers.ascii_name("Kallelse Nämnden Åre-Östersund 2020-12-11.pdf") == \
        "Kallelse Namnden Are-Ostersund 2020-12-11.pdf"
    assert headers.ascii_name("Protokollsutdrag GNS 2020-12-11 §§ 44, 46.pdf") == \
        "Protokollsutdrag GNS 2020-12-11 par 44, 46.pdf"
    assert headers.ascii_name('Ett "citat" \\ 中文.pdf') == "Ett 'citat' - __.pdf"
    assert headers.disposition_tokens("Kallelse GNS 2020-12-11.pdf") == \
        ["attachment;", 'filename="Kallelse GNS 2020-12-11.pdf"']  # ASCII: one form is enough


def test_built_attachment_names_parse_back_in_both_forms():
    raw = compose.message_bytes(parts=[compose.Part("Protokollsutdrag GNS 2020-12-11 § 44.pdf", b"%PDF-1.4"),
                                       compose.Part("Kallelse GNS 2020-12-11.pdf", b"%PDF-1.4")], **HEADERS)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    first, second = message.iter_attachments()
    assert attachment_names(first) == ("Protokollsutdrag GNS 2020-12-11 par 44.pdf",
                                       "Protokollsutdrag GNS 2020-12-11 § 44.pdf")
    assert attachment_names(second) == ("Kallelse GNS 2020-12-11.pdf", None)
    assert first.get_content_disposition() == "attachment" and first.get_content() == b"%PDF-1.4"


def test_folded_header_refuses_a_token_that_is_not_printable_ascii():
    with pytest.raises(ValueError):
        headers.FoldedHeader("Subject", "x", ["a\r\nBcc: x"])
    with pytest.raises(ValueError):
        headers.FoldedHeader("Subject", "x", ["Åre"])


def test_readback_stops_a_message_with_a_header_or_recipient_it_did_not_mean(monkeypatch):
    built = compose.build_message(parts=[], **HEADERS)
    raw = built.as_bytes()
    meant = readback.Meant(HEADERS["sender"], None, HEADERS["to"], "Kallelse GNS Åre 2020-12-11", ())
    readback.check(raw, built, meant)  # as built: fine

    def refused(data: bytes, expected: readback.Meant, what: str) -> None:
        with pytest.raises(UnsafeMessageError) as caught:
            readback.check(data, built, expected)
        assert what in "; ".join(caught.value.differences), caught.value.differences
        assert "sista kontrollen" in caught.value.message and "Inget har skickats" in caught.value.message

    refused(raw.replace(b"\r\nSubject:", b"\r\nBcc: evil@example.org\r\nSubject:", 1), meant, "Bcc")
    refused(raw.replace(b"<asa@example.org>", b"<asa@example.org>, evil@example.org", 1), meant,
            "evil@example.org")
    refused(raw, readback.Meant(HEADERS["sender"], None, Address(display_name="Åsa Ek", addr_spec="asa@example.org"),
                                meant.subject, ()), "display name")
    refused(raw, readback.Meant(HEADERS["sender"], None, HEADERS["to"], "Kallelse GNS", ()), "Subject")

HEADERS = dict(sender=Address(display_name="Jessica Hådell", addr_spec="jessica.hadell@example.org"), reply_to=None,
               to=Address(display_name="Åsa", addr_spec="asa@example.org"), subject="Kallelse GNS Åre 2020-12-11",
               body="Hej!\n", message_id="<1@example.org>", date=dt.datetime(2020, 12, 4, tzinfo=dt.timezone.utc))
