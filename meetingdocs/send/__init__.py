"""Distribution by e-mail: ``build.py send DATE --what kallelse|protokoll|utdrag``.

The phases, one module each:

- ``settings``   SMTP settings from ``sources/utskick.yaml`` and the environment
- ``recipients`` who gets what: the roster, or the protokoll's sändlista
- ``compose``    the messages: templates in ``templates/epost/``, attachments
- ``headers``    what may stand in a header (``problem``) and how it is encoded
- ``readback``   each built message parsed back and compared with what was meant
- ``ledger``     ``packets/MEETING/utskick/skickat.jsonl``, what was sent
- ``transport``  the SMTP conversation, one message per recipient
- ``plan``       ties them together: ``prepare`` (checks everything, sends
                 nothing), ``write_previews`` (the dry run) and ``deliver``
- ``command``    the command line: prints the table and the summary

Nothing leaves the machine unless ``deliver`` is called, which the command
line only does with ``--skarpt``.
"""
