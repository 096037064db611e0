"""`audiobook studio`: the project in a browser. Hear any line, fix who says it, recast, re-say a word
and rebuild, through the same functions and comment-keeping writers the command line uses.

    project.py  the works, their analysis (in a worker, cached by content), cast and chapter plans
    edits.py    pins, voice knobs and the lexicon written in place, under the build lock, never over a
                file changed since the page read it
    sound.py    a line's audio from the clip cache, or rendered on demand in a worker
    builds.py   `audiobook build` run from the page, its progress as events
    guard.py    the session token, Host and Origin checks, paths kept inside the project
    app.py      the ASGI app (Starlette): thin handlers over the above
    server.py   uvicorn on 127.0.0.1, the printed URL, the browser
"""
