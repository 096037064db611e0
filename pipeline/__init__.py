"""audiobook: turn a folder of stories and books (.txt, .md, .epub) into a multi-voice, chaptered audiobook, offline."""

__version__ = "0.1.0"
