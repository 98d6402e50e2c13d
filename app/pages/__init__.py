"""One module per page (``xxx.py`` with ``xxx_page()``), its state beside it (``xxx_state.py``)."""
