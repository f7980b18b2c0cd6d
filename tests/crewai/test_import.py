"""Importing the package is cheap and offline: CrewAI is imported only when used."""

from __future__ import annotations

import subprocess
import sys

NO_NETWORK = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network access during import")
socket.socket.connect = refuse
socket.create_connection = refuse
import sys, time
start = time.process_time()
import agent_baton_crewai
from agent_baton import SharedContext
baton = agent_baton_crewai.CrewBaton(SharedContext())
baton.ctx.put("k", "text")
print(f"{'crewai' in sys.modules} {time.process_time() - start:.3f}")
"""


def test_import_does_not_load_crewai_or_touch_the_network():
    out = subprocess.run(
        [sys.executable, "-c", NO_NETWORK], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "False"
    # CPU time, which a loaded machine does not stretch (wall time went past 8 s at a load
    # of 25): agent_baton and tiktoken only; crewai alone takes seconds.
    assert float(out[1]) < 5.0


def test_tools_import_crewai_on_first_use():
    code = (
        "import sys, agent_baton_crewai as m; m.SharedContextReadTool; "
        "print('crewai' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
