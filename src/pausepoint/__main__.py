from pausepoint.cli.main import app

app()
