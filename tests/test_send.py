"""`build.py send`: the real command line against a real SMTP server on 127.0.0.1.

Each test copies the demo sources, puts small real PDFs where `make packet`
and `make protokoll` would, starts aiosmtpd on loopback and runs build.py.
"""

from __future__ import annotations

import base64
import collections
import email.header
import email.utils

import pytest

from conftest import DEMO, run_build
from meetingdocs.errors import ExitCode
from test_send_support import (  # noqa: F401 - fixtures
    PASSWORD,
    USER,
    Recorder,
    attachment_names,
    certificate,
    filename,
    make_pdf,
    roster_addresses,
    server_context,
    smtp,
    smtp_env,
    free_port,
    tool_copy,
    work,
)

ROSTER = 18  # 9 ledamöter + 9 ersättare with e-mail in the demo; övriga have none


def send(work, env, *flags: str, what: str = "kallelse", verbose: bool = False):
    args = (["-v"] if verbose else []) + ["send", DEMO, "--what", what, *flags]
    return run_build(*args, sources=work.sources, out=work.out, env=env, timeout=60)


def assert_nothing_sent(server, work) -> None:
    assert server.received == []
    assert work.log_lines() == []


# ------------------------------------------------------------------ dry run


def test_dry_run_writes_one_eml_per_recipient_and_prints_the_table(work, smtp):
    server = smtp()
    result = send(work, server.env())
    assert result.returncode == 0, result.stderr
    assert "Inget har skickats" in result.stdout
    header = next(line for line in result.stdout.splitlines() if line.startswith("Mottagare"))
    for column in ("Ämne", "Bilaga", "Storlek"):
        assert column in header
    addresses = roster_addresses(work.sources)
    for address in addresses:
        assert address in result.stdout
    assert "Robert Hamberg <robert.hamberg@example.org>" in result.stdout
    assert "Kallelse GNS 2020-12-11.pdf" in result.stdout
    assert "SKARPT=1" in result.stdout
    previews = sorted((work.packet / "utskick" / "kallelse").glob("*.eml"))
    assert len(previews) == ROSTER
    import email
    import email.policy

    first = email.message_from_bytes(previews[0].read_bytes(), policy=email.policy.default)
    assert first["Subject"] == "Kallelse GNS 2020-12-11"
    assert first["To"].addresses[0].addr_spec == "robert.hamberg@example.org"
    assert first["From"].addresses[0].display_name == "Jessica Hådell"
    assert first["Message-ID"] and first["Date"]
    (attachment,) = list(first.iter_attachments())
    assert attachment.get_content() == work.kallelse.read_bytes()
    assert_nothing_sent(server, work)

    # A second dry run replaces the previews instead of adding to them.
    assert send(work, server.env()).returncode == 0
    assert len(list((work.packet / "utskick" / "kallelse").glob("*.eml"))) == ROSTER
    assert_nothing_sent(server, work)


def test_missing_packet_says_to_build_it_first(work, smtp):
    work.kallelse.unlink()
    result = send(work, smtp().env(), "--skarpt")
    assert result.returncode == int(ExitCode.other_error)
    assert "make packet DATE=2020-12-11" in result.stderr and "Inget har skickats" in result.stderr


# ------------------------------------------------------------------ real send


def test_send_reaches_everyone_exactly_once_then_a_rerun_sends_nothing(work, smtp):
    work.edit("namnder/gns.yaml", "kortnamn: GNS", "kortnamn: GNS Åre")  # åäö in subject and file name
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert result.returncode == 0, result.stderr
    assert "till alla 18 mottagare" in result.stdout

    received = server.received
    assert len(received) == ROSTER
    assert all(len(item.rcpt_tos) == 1 for item in received)
    assert sorted(server.recorder.addresses()) == sorted(roster_addresses(work.sources))
    packet = work.kallelse.read_bytes()
    for item in received:
        message = item.message
        assert item.mail_from == "jessica.hadell@example.org"
        assert message["Subject"] == "Kallelse GNS Åre 2020-12-11"
        assert message["To"].addresses[0].addr_spec == item.rcpt_tos[0]
        assert message["Date"] is not None
        (attachment,) = list(message.iter_attachments())
        assert attachment_names(attachment) == ("Kallelse GNS Are 2020-12-11.pdf", "Kallelse GNS Åre 2020-12-11.pdf")
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content() == packet
        body = message.get_body(("plain",)).get_content()
        assert "Lillsjöhögen, Via Teams" in body and "Jessica Hådell" in body
        assert "1. Fastställande av föredragningslista" in body
    raw = received[0].data.decode("ascii")  # the encoded message is pure ASCII
    assert ('Content-Disposition: attachment; filename="Kallelse GNS Are 2020-12-11.pdf";\r\n'
            " filename*=utf-8''Kallelse%20GNS%20%C3%85re%202020-12-11.pdf\r\n") in raw  # ASCII name first

    lines = work.log_lines()
    assert len(lines) == ROSTER
    ids = {item.message["Message-ID"] for item in received}
    assert {line["message_id"] for line in lines} == ids
    for line in lines:
        assert line["vad"] == "kallelse"
        assert line["bilagor"][0]["fil"] == "kallelse.pdf"
        assert line["bilagor"][0]["sha256"] == __import__("hashlib").sha256(packet).hexdigest()
        assert line["tid"]

    again = send(work, server.env(), "--skarpt")
    assert again.returncode == 0, again.stderr
    assert "Allt är redan skickat" in again.stdout
    assert len(server.received) == ROSTER
    assert len(work.log_lines()) == ROSTER


def test_refused_recipient_is_named_and_the_others_still_get_it(work, smtp):
    refused = "bjorn.hammarberg@example.org"
    server = smtp(Recorder(refuse={refused}))
    result = send(work, server.env(), "--skarpt")
    assert result.returncode == int(ExitCode.other_error)
    assert "Traceback" not in result.stderr
    assert "Björn Hammarberg" in result.stderr and refused in result.stderr and "550" in result.stderr
    assert "AVVISAD" in result.stdout
    assert len(server.received) == ROSTER - 1
    assert refused not in server.recorder.addresses()
    logged = [line["mottagare"] for line in work.log_lines()]
    assert sorted(logged) == sorted(server.recorder.addresses())

    # The address is fixed (here: the server stops refusing); the rerun sends only to Björn.
    fixed = smtp()
    rerun = send(work, fixed.env(), "--skarpt")
    assert rerun.returncode == 0, rerun.stderr
    assert fixed.recorder.addresses() == [refused]


def test_dropped_connection_then_resume_delivers_the_rest_without_duplicates(work, smtp):
    flaky = smtp(Recorder(drop_after=5))
    result = send(work, flaky.env(), "--skarpt")
    assert result.returncode == int(ExitCode.other_error)
    assert "Traceback" not in result.stderr
    assert "avbröts" in result.stderr and "13 meddelanden skickades inte" in result.stderr
    assert len(flaky.received) == 5
    assert len(work.log_lines()) == 5
    flaky.stop()

    steady = smtp()
    resumed = send(work, steady.env(), "--skarpt")
    assert resumed.returncode == 0, resumed.stderr
    assert "5 har redan fått det" in resumed.stdout
    everything = flaky.recorder.addresses() + steady.recorder.addresses()
    counts = collections.Counter(everything)
    assert sorted(counts) == sorted(roster_addresses(work.sources))
    assert set(counts.values()) == {1}, "someone got two copies"
    assert len(work.log_lines()) == ROSTER


def test_changed_packet_is_refused_without_igen_and_sent_with_it(work, smtp):
    server = smtp()
    assert send(work, server.env(), "--skarpt").returncode == 0
    assert len(server.received) == ROSTER
    new = make_pdf(work.kallelse, "Kallelse GNS 2020-12-11, rättad")

    refused = send(work, server.env(), "--skarpt")
    assert refused.returncode == int(ExitCode.other_error)
    assert "har ändrats" in refused.stderr and "--igen" in refused.stderr and "Inget har skickats" in refused.stderr
    assert len(server.received) == ROSTER

    preview = send(work, server.env())
    assert preview.returncode == 0 and "kräver --igen" in preview.stdout

    resent = send(work, server.env(), "--skarpt", "--igen")
    assert resent.returncode == 0, resent.stderr
    assert len(server.received) == 2 * ROSTER
    for item in server.received[ROSTER:]:
        (attachment,) = list(item.message.iter_attachments())
        assert attachment.get_content() == new
    assert send(work, server.env(), "--skarpt", "--igen").returncode == 0
    assert len(server.received) == 2 * ROSTER, "--igen sends nothing twice for the same version"


# ------------------------------------------------------------ TLS and login


def test_starttls_with_self_signed_certificate_and_login_never_shows_the_password(work, smtp, certificate):
    server = smtp(starttls=server_context(certificate), auth=True)
    env = server.env(MEETINGDOCS_SMTP_CAFILE=str(certificate[0]), MEETINGDOCS_SMTP_USER=USER,
                     MEETINGDOCS_SMTP_PASSWORD=PASSWORD)
    result = send(work, env, "--skarpt", verbose=True)
    assert result.returncode == 0, result.stderr
    assert len(server.received) == ROSTER
    assert "STARTTLS, användare sekreterare" in result.stdout

    secrets = [PASSWORD, base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode(),
               base64.b64encode(PASSWORD.encode()).decode()]
    for text in (result.stdout, result.stderr):
        for secret in secrets:
            assert secret not in text
    for path in work.root.rglob("*"):
        if path.is_file() and not path.name.endswith(".pem"):
            content = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in content, path


def test_wrong_password_and_untrusted_certificate_send_nothing(work, smtp, certificate):
    server = smtp(starttls=server_context(certificate), auth=True)
    base = server.env(MEETINGDOCS_SMTP_USER=USER, MEETINGDOCS_SMTP_PASSWORD=PASSWORD + "x",
                      MEETINGDOCS_SMTP_CAFILE=str(certificate[0]))
    wrong = send(work, base, "--skarpt", verbose=True)
    assert wrong.returncode == int(ExitCode.other_error)
    assert "Inloggningen" in wrong.stderr and USER in wrong.stderr and "535" in wrong.stderr
    for secret in (PASSWORD, PASSWORD + "x", base64.b64encode(f"\0{USER}\0{PASSWORD}x".encode()).decode()):
        assert secret not in wrong.stderr + wrong.stdout

    untrusted = send(work, {**base, "MEETINGDOCS_SMTP_CAFILE": ""}, "--skarpt")
    assert untrusted.returncode == int(ExitCode.other_error)
    assert "certifikat" in untrusted.stderr and "MEETINGDOCS_SMTP_CAFILE" in untrusted.stderr
    assert_nothing_sent(server, work)


def test_server_without_starttls_is_never_used_unencrypted(work, smtp):
    server = smtp()  # plain server; the tool is told to require STARTTLS
    result = send(work, server.env(MEETINGDOCS_SMTP_SECURITY="starttls"), "--skarpt")
    assert result.returncode == int(ExitCode.other_error)
    assert "STARTTLS" in result.stderr
    assert_nothing_sent(server, work)


# ------------------------------------------------------------- refusals


@pytest.mark.parametrize("relative, old, new, fragment", [
    ("namnder/gns.yaml", "namn: Robert Hamberg", 'namn: "Robert Hamberg\\r\\nBcc: evil@example.org"',
     "fältet 'mandatperioder[1].ledamöter[1].namn'"),
    ("2020-12-11/mote.yaml", "plats: Lillsjöhögen, Via Teams", 'plats: "Lillsjöhögen\\nBcc: evil@example.org"',
     "fältet 'plats'"),
])
def test_header_injection_is_refused_before_anything_is_sent(work, smtp, relative, old, new, fragment):
    work.edit(relative, old, new)
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    assert relative.split("/")[-1] in result.stderr and fragment in result.stderr
    assert "radbrytning" in result.stderr and "Inget har skickats" in result.stderr
    assert_nothing_sent(server, work)
    assert not (work.packet / "utskick" / "kallelse").exists()


EVIL = "evil@example.org"


def b_word(text: str, charset: str = "utf-8") -> str:
    """An RFC 2047 encoded word in base64, as a hostile source would write it."""
    return f"=?{charset}?b?{base64.b64encode(text.encode(charset)).decode()}?="


def assert_refused(result, server, work, file: str, *fragments: str) -> None:
    """Exit 3, the file, field and fragments named in Swedish, no traceback, nothing sent or written."""
    assert result.returncode == int(ExitCode.input_invalid), result.stderr
    assert "Traceback" not in result.stderr
    assert file in result.stderr and "Inget har skickats" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, fragment
    assert_nothing_sent(server, work)
    assert not (work.packet / "utskick").exists()


def test_encoded_word_in_a_ledamot_name_is_refused_and_nothing_reaches_the_server(work, smtp):
    # Decodes to "Therese\r\nBcc: evil@example.org": a Bcc header in the preview and at the server before.
    work.edit("namnder/gns.yaml", "namn: Therese Kärngård", 'namn: "=?utf-8?q?Therese=0D=0ABcc:_evil@example.org?="')
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert_refused(result, server, work, "gns.yaml", "fältet 'mandatperioder[1].ledamöter[3].namn'",
                   "kodad e-posttext", "Therese\\r\\nBcc: evil@example.org", "utan '=?' och '?='")


def test_encoded_words_in_ersattare_and_ovriga_names_are_refused(work, smtp):
    maria = b_word(f"Maria\nBcc: {EVIL}", "iso-8859-1")  # base64, another charset
    work.edit("namnder/gns.yaml", "namn: Maria Jakobsson", f'namn: "{maria}"')
    work.edit("2020-12-11/mote.yaml", "  - namn: Jessica Hådell\n    titel: Nämndsekreterare",
              "  - namn: \"=?utf-8?q?Jessica=E2=80=A8Bcc:_evil@example.org?=\"\n    titel: Nämndsekreterare\n"
              "    e-post: jessica.hadell@example.org")
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert_refused(result, server, work, "gns.yaml", "2 fel", "fältet 'mandatperioder[1].ersättare[2].namn'",
                   "Maria\\nBcc", "mote.yaml", "fältet 'övriga[1].namn'", "Jessica\\u2028Bcc")


def test_encoded_word_reaching_the_subject_is_refused_in_the_preview_too(work, smtp):
    # kortnamn goes into the subject ("Kallelse {{ kortnamn }} {{ datum }}") and into the file name.
    work.edit("namnder/gns.yaml", "kortnamn: GNS", 'kortnamn: "GNS =?utf-8?q?=0D=0ABcc:_evil@example.org?="')
    server = smtp()
    result = send(work, server.env())  # the dry run writes the .eml files that showed the Bcc header
    assert_refused(result, server, work, "gns.yaml", "fältet 'kortnamn'", "kodad e-posttext")


def test_encoded_word_in_the_subject_template_is_refused(tool_copy, work, smtp):
    own = tool_copy.root / "templates" / "gns" / "epost" / "kallelse.txt"
    own.parent.mkdir(parents=True)
    own.write_text("Ämne: Kallelse =?utf-8?q?=0D=0ABcc:_evil@example.org?= {{ datum }}\n\nHej!\n", encoding="utf-8")
    server = smtp()
    result = tool_copy.run("send", DEMO, "--skarpt", sources=work.sources, out=work.out, env=server.env())
    assert_refused(result, server, work, "gns/epost/kallelse.txt", "rad 1", "ämnesraden", "kodad e-posttext",
                   "första raden i mallen")


def test_unicode_line_separators_in_names_are_refused(work, smtp):
    separators = {"Robert Hamberg": "\\L", "Björn Hammarberg": "\\P", "Therese Kärngård": "\\N",
                  "Jörgen Persson": "\\v", "Daniel Danielsson": "\\f"}  # U+2028, U+2029, U+0085, VT, FF in YAML
    for name, escape in separators.items():
        first, last = name.split()
        work.edit("namnder/gns.yaml", f"namn: {name}", f'namn: "{first}{escape}Bcc: {EVIL}"')
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert_refused(result, server, work, "gns.yaml", "5 fel", "radbrytning",
                   *(f"fältet 'mandatperioder[1].ledamöter[{i}].namn'" for i in range(1, 6)))
    for shown in ("\\u2028", "\\u2029", "\\x85", "\\x0b", "\\x0c"):
        assert f"{shown}Bcc: {EVIL}" in result.stderr


def test_folded_line_in_a_name_is_refused(work, smtp):
    # CRLF and a tab: a folded header line, which a mail program joins to the line before.
    work.edit("namnder/gns.yaml", "namn: Ann-Marie Johansson", f'namn: "Ann-Marie\\r\\n\\tJohansson\\r\\nBcc: {EVIL}"')
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert_refused(result, server, work, "gns.yaml", "fältet 'mandatperioder[1].ersättare[1].namn'", "radbrytning",
                   "Ann-Marie\\r\\n\\tJohansson")


def test_odd_but_ordinary_names_arrive_exactly_with_no_extra_header(work, smtp):
    """Quotes, parentheses, commas and long names with åäö: the header set and the texts arrive exactly.

    Python 3.11's own folder sent this subject as "… Krokom ÄlvdalenJämtland 2020-12-11" and loses the
    quotes of long quoted names; the tool encodes these headers itself.
    """
    names = {"Robert Hamberg": 'Robert "Robban" Hamberg (M), ordförande',
             "Björn Hammarberg": "Björn Hammarberg-Öhrvall Ärlebäck af Württemberg Håkansson Åkerström",
             "Therese Kärngård": "Kärngård, Therese <therese@example.org>",
             "Bosse Svensson": 'Svensson, Bosse "Bo" (C) <bosse@example.org>'}
    for old, new in names.items():
        work.edit("namnder/gns.yaml", f"namn: {old}", f"namn: '{new}'")
    work.edit("namnder/gns.yaml", "kortnamn: GNS", "kortnamn: Ragunda Härjedalen GNS Krokom Älvdalen Jämtland")
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert result.returncode == 0, result.stderr
    assert len(server.received) == ROSTER
    expected = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
    by_address = {item.rcpt_tos[0]: item for item in server.received}
    for item in server.received:
        message = item.message
        assert item.rcpt_tos == [message["To"].addresses[0].addr_spec]
        assert list(message.keys()) == expected
        assert [a.addr_spec for a in message["To"].addresses] == item.rcpt_tos
        assert message["Subject"] == "Kallelse Ragunda Härjedalen GNS Krokom Älvdalen Jämtland 2020-12-11"
        (attachment,) = list(message.iter_attachments())
        assert list(attachment.keys()) == ["Content-Type", "Content-Transfer-Encoding", "Content-Disposition"]
        assert attachment_names(attachment) == (
            "Kallelse Ragunda Harjedalen GNS Krokom Alvdalen Jamtland 2020-12-11.pdf",
            "Kallelse Ragunda Härjedalen GNS Krokom Älvdalen Jämtland 2020-12-11.pdf")
    for address, name in [("robert.hamberg@example.org", names["Robert Hamberg"]),
                          ("bjorn.hammarberg@example.org", names["Björn Hammarberg"]),
                          ("therese.karngard@example.org", names["Therese Kärngård"]),
                          ("bosse.svensson@example.org", names["Bosse Svensson"])]:
        to = unfolded_header(by_address[address].data, "To")
        ((display, spec),) = email.utils.getaddresses([to])
        assert spec == address
        assert str(email.header.make_header(email.header.decode_header(display))) == name


def unfolded_header(data: bytes, name: str) -> str:
    """A top-level header's value as it stands in the message, folded lines joined."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ").replace("\r\n\t", "\t")
    (value,) = [line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.split(":", 1)[0] == name]
    return value


def test_oversize_packet_is_refused_before_anything_is_sent(work, smtp):
    make_pdf(work.kallelse, "Kallelse GNS 2020-12-11", padding=60_000)  # about 125 kB, 170 kB as e-mail
    work.settings("storleksgräns: 0,1   # MB\n")
    server = smtp()
    result = send(work, server.env(), "--skarpt")
    assert result.returncode == int(ExitCode.other_error)
    assert "för stora" in result.stderr and "gränsen är 100 kB" in result.stderr
    assert "länk:" in result.stderr and "storleksgräns:" in result.stderr and "Inget har skickats" in result.stderr
    assert_nothing_sent(server, work)
    preview = send(work, server.env())
    assert preview.returncode == int(ExitCode.other_error) and "för stora" in preview.stderr


def test_public_link_is_sent_instead_of_an_oversize_attachment(work, smtp):
    make_pdf(work.kallelse, "Kallelse GNS 2020-12-11", padding=60_000)
    work.settings("storleksgräns: 0.1\n")
    server = smtp()
    env = server.env(MEETINGDOCS_PUBLIC_URL="https://www.example.org/handlingar/{nämnd}/{datum}/{fil}")
    preview = send(work, env)
    assert preview.returncode == 0, preview.stderr
    assert "länk: Kallelse GNS 2020-12-11.pdf" in preview.stdout
    result = send(work, env, "--skarpt")
    assert result.returncode == 0, result.stderr
    assert len(server.received) == ROSTER
    for item in server.received:
        message = item.message
        assert list(message.iter_attachments()) == []
        assert "https://www.example.org/handlingar/gns/2020-12-11/kallelse.pdf" in message.get_content()
        assert len(item.data) < 20_000
    assert all(line["länk"] is True for line in work.log_lines())


# -------------------------------------------------------- protokoll, utdrag


@pytest.mark.parametrize("what", ["protokoll", "utdrag"])
def test_protokoll_and_utdrag_wait_for_justering(work, smtp, what):
    work.protokoll(adjusted=False)
    server = smtp()
    result = send(work, server.env(), "--skarpt", what=what)
    assert result.returncode == int(ExitCode.other_error)
    assert "inte justerat" in result.stderr and "Inget har skickats" in result.stderr
    assert_nothing_sent(server, work)
    preview = send(work, server.env(), what=what)  # previewing before justering is fine
    assert preview.returncode == 0, preview.stderr
    assert "inte justerat" in preview.stdout


def test_protokoll_goes_to_the_roster(work, smtp):
    work.protokoll()
    server = smtp()
    result = send(work, server.env(), "--skarpt", what="protokoll")
    assert result.returncode == 0, result.stderr
    assert sorted(server.recorder.addresses()) == sorted(roster_addresses(work.sources))
    message = server.received[0].message
    assert message["Subject"] == "Protokoll GNS 2020-12-11"
    (attachment,) = list(message.iter_attachments())
    assert attachment_names(attachment) == ("Protokoll GNS 2020-12-11.pdf", None)  # ASCII: one form is enough
    assert attachment.get_content() == (work.packet / "protokoll.pdf").read_bytes()
    assert "§§ 41–51" in message.get_body(("plain",)).get_content()


def test_utdrag_one_message_per_address_with_all_its_extracts(work, smtp):
    # registrator@ is both in "Nämndens parter" and the only address of "Regionen".
    work.edit("namnder/gns.yaml", "  Ekonom: ekonom@region.example.org",
              "  Ekonom: ekonom@region.example.org\n  Regionen: registrator@region.example.org")
    work.protokoll([
        {"mottagare": "Nämndens parter", "paragrafer": [44, 46]},
        {"mottagare": "Regionen", "paragrafer": [45, 46]},
        {"mottagare": "Ekonom", "paragrafer": [45]},
    ])
    server = smtp()
    result = send(work, server.env(), "--skarpt", what="utdrag")
    assert result.returncode == 0, result.stderr
    counts = collections.Counter(server.recorder.addresses())
    assert set(counts.values()) == {1}
    assert len(counts) == 10  # nine parter (registrator among them) and the ekonom

    def extracts(address: str) -> dict[str, bytes]:
        (item,) = [r for r in server.received if r.rcpt_tos == [address]]
        return {filename(a): a.get_content() for a in item.message.iter_attachments()}

    name = "Protokollsutdrag GNS 2020-12-11 § {}.pdf"
    registrator = extracts("registrator@region.example.org")
    assert sorted(registrator) == [name.format(44), name.format(45), name.format(46)]
    for number in (44, 45, 46):
        expected = (work.packet / "utdrag" / f"protokollsutdrag-{number}.pdf").read_bytes()
        assert registrator[name.format(number)] == expected
    assert sorted(extracts("kommunen@are.example.org")) == [name.format(44), name.format(46)]
    assert sorted(extracts("ekonom@region.example.org")) == [name.format(45)]
    (item,) = [r for r in server.received if r.rcpt_tos == ["registrator@region.example.org"]]
    assert item.message["Subject"] == "Protokollsutdrag GNS 2020-12-11 §§ 44, 45, 46"
    assert len(work.log_lines()) == 10


def test_utdrag_recipient_missing_from_the_address_book_is_an_error(work, smtp):
    work.protokoll([{"mottagare": "Nämndens parter", "paragrafer": [44]},
                    {"mottagare": "Kommunstyrelsen i Bräcke", "paragrafer": [44]}])
    server = smtp()
    result = send(work, server.env(), "--skarpt", what="utdrag")
    assert result.returncode == int(ExitCode.input_invalid)
    assert "gns.yaml" in result.stderr and "fältet 'adressbok'" in result.stderr
    assert "'Kommunstyrelsen i Bräcke'" in result.stderr and "Inget har skickats" in result.stderr
    assert_nothing_sent(server, work)


def test_no_server_configured_is_a_clear_error(work):
    env = smtp_env(free_port(), MEETINGDOCS_SMTP_HOST="127.0.0.1")
    env["MEETINGDOCS_SMTP_HOST"] = ""  # nothing configured at all
    result = send(work, env, "--skarpt")
    assert result.returncode == int(ExitCode.other_error)
    assert "server:" in result.stderr and "MEETINGDOCS_SMTP_HOST" in result.stderr
