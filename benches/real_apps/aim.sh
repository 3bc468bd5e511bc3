# Aim (aim 3.29): experiment tracker; its UI's REST API (tags, experiments, runs and
# their notes, dashboards, dashboard apps, reports, projects). `aim up` mounts that API
# as a FastAPI sub-app at /api beside the UI's static files, so the origin's own
# openapi.json has no paths; here the same steps as `aim up` (repo init, web DB
# migration, index and run-status managers) run and that /api sub-app is served on the
# origin itself, paths without the /api prefix. Runs are written by the tracking SDK,
# never through this API: two seeded runs (experiment `bench`, metric `loss`, a text)
# give the run operations something to read, update, tag and delete.
# Auth: none (the UI has no users). Telemetry: none in this version.
APP_VERSION="aim==3.29.1"
APP_DESCRIPTION="aim up's /api sub-app (aim.web.run:app) on the origin, repo and SQLite web DB in DIR, 2 seeded runs; no auth"

app_start() {
    local port=$1 dir=$2
    cd "$dir" || return 1
    exec "$VENV/bin/python" - "$port" "$dir" <<'PY'
import os, subprocess, sys

port, repo_dir = int(sys.argv[1]), sys.argv[2]
os.environ["__AIM_ENV_MODE__"] = "prod"
from aim.cli.utils import build_db_upgrade_command, get_repo_instance
from aim.web.configs import AIM_UI_MOUNTED_REPO_PATH

repo = get_repo_instance(repo_dir, yes=True)  # initialises DIR/.aim when missing
os.environ[AIM_UI_MOUNTED_REPO_PATH] = repo.path
subprocess.run(build_db_upgrade_command(), check=True)  # the web DB (DIR/.aim/aim_db)

from aim import Run, Text

if not list(repo.iter_runs()):
    for i in range(2):
        run = Run(repo=repo_dir, experiment="bench", system_tracking_interval=None,
                  capture_terminal_logs=False)
        run["hparams"] = {"lr": 0.01 * (i + 1), "batch_size": 32}
        for step in range(20):
            run.track(1.0 / (step + 1 + i), name="loss", step=step, context={"subset": "train"})
        run.track(Text(f"sample {i}"), name="sample", step=0)
        run.close()

from aim.sdk.index_manager import RepoIndexManager
from aim.sdk.run_status_manager import RunStatusManager

RepoIndexManager.get_index_manager(repo).start()
RunStatusManager(repo).start()

import uvicorn
from aim.web.run import app

api = next(route.app for route in app.routes if getattr(route, "path", None) == "/api")
uvicorn.run(api, host="127.0.0.1", port=port, log_level="warning", ws_max_size=1 << 30)
PY
}

app_auth() {
    :
}

# Lists answer plain arrays. Runs have no list endpoint that answers JSON (the search
# endpoints stream a binary encoding) and no create endpoint: they are not counted.
app_kinds() {
    cat <<'KINDS'
tags	/tags
experiments	/experiments
dashboards	/dashboards
dashboard apps	/apps
reports	/reports
KINDS
}
