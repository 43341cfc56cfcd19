from .cli import app

app(prog_name="graph-agents")
