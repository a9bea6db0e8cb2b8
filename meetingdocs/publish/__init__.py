"""Publishing (issue 10): ``build.py publish`` writes the public web site into public/.

See :mod:`meetingdocs.publish.site` for the phases and the layout of the site.
"""
