"""What several built-in blocks share: a plain package (not a block, no entry point), imported by blocks.

- :mod:`plugins.support.handlers`: JSON handlers whose refusals are worded in the learner's language;
- :mod:`plugins.support.rendering`: a block's Jinja2 templates, with ``_``/``ngettext`` and formats;
- :mod:`plugins.support.formats`: dates, numbers and file sizes as the reader writes them;
- :mod:`plugins.support.text`: learners' text as it is kept;
- :mod:`plugins.support.grading_input`: the trainer's grade, comment and learner, read from a request.

It has no catalogue of its own: its messages are translated through the calling block's ``i18n``
service, so each block that uses them keeps their French in its own ``translations/`` (a block may word
them its own way). Extract a block's catalogue with ``plugins/support`` among the inputs.
"""
