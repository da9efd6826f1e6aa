"""The container setup: docker-compose.yml and the Dockerfile run what the code provides.

There is no Docker engine here, so the files are read, and every command they start is
checked against the code with the tools' own command-line parsers (gunicorn's, Celery's,
Django's management commands), in a subprocess with the production settings, as in the
containers. Needs no database.
"""

import json
import os
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
DOCKERIGNORE = BASE_DIR / ".dockerignore"

PRODUCTION_SETTINGS = "impactportal.settings.production"
APP_SERVICES = ("migrate", "web", "worker", "beat")
# What each app service must run: (tool, subcommand or WSGI application).
EXPECTED_ENTRY_POINTS = {
    "migrate": ("manage.py", "migrate"),
    "web": ("gunicorn", "impactportal.wsgi:application"),
    "worker": ("celery", "worker"),
    "beat": ("celery", "beat"),
}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|(^|_)KEY($|_)", re.IGNORECASE)
# ${NAME:?message}: compose refuses to start when NAME is unset or empty.
REQUIRED_VARIABLE = re.compile(r"^\$\{(?P<name>\w+):\?[^}]*\}$")
INTERPOLATION = re.compile(r"\$\{[^}]*\}")


# Runs in a subprocess: each argv in sys.argv[1] (JSON) is resolved the way the real
# program would resolve it, without starting anything. Prints one JSON result per argv.
ENTRY_POINT_CHECKER = r"""
import json
import sys
import traceback


def gunicorn(argv):
    from django.core.handlers.wsgi import WSGIHandler
    from gunicorn.config import Config
    from gunicorn.util import import_app

    args = Config().parser().parse_args(argv[1:])
    if len(args.args) != 1:
        raise ValueError(f"expected one APP_MODULE, got {args.args}")
    app_uri = args.args[0]
    application = import_app(app_uri)  # what gunicorn's WSGI loader does
    return {
        "tool": "gunicorn",
        "entry": app_uri,
        "bind": args.bind,
        "workers": args.workers,
        "callable": callable(application),
        "django_wsgi_handler": isinstance(application, WSGIHandler),
    }


def celery(argv):
    from celery import Celery
    from celery.app.utils import find_app
    from celery.bin.base import CLIContext
    from celery.bin.celery import celery as cli

    import impactportal

    ctx = cli.make_context("celery", list(argv[1:]))
    app = find_app(ctx.params["app"])  # what `celery -A` does
    if not isinstance(app, Celery):
        raise TypeError(f"-A {ctx.params['app']} is {app!r}, not a Celery app")
    ctx.obj = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    protected = getattr(ctx, "_protected_args", None)
    if protected is None:
        protected = ctx.protected_args
    name, command, rest = cli.resolve_command(ctx, [*protected, *ctx.args])
    sub = command.make_context(name, list(rest), parent=ctx)
    return {
        "tool": "celery",
        "entry": name,
        "app": ctx.params["app"],
        "is_impactportal_celery_app": app is impactportal.celery_app,
        "options": {k: str(v) for k, v in sub.params.items()},
    }


def manage(argv):
    import django
    from django.core.management import get_commands, load_command_class

    if argv[1] != "manage.py":
        raise ValueError(f"{argv[0]} runs {argv[1]!r}, not manage.py")
    django.setup()
    name = argv[2]
    commands = get_commands()
    if name not in commands:
        raise LookupError(f"no management command {name!r}")
    command = load_command_class(commands[name], name)
    options = command.create_parser("manage.py", name).parse_args(argv[3:])
    options = {k: str(v) for k, v in vars(options).items()}
    return {"tool": "manage.py", "entry": name, "options": options}


TOOLS = {"gunicorn": gunicorn, "celery": celery, "python": manage, "python3": manage}

results = []
for argv in json.loads(sys.argv[1]):
    try:
        results.append({"ok": True, **TOOLS[argv[0]](argv)})
    except BaseException as exc:  # argparse and click exit through SystemExit
        results.append({"ok": False, "error": f"{exc!r}", "traceback": traceback.format_exc()})
print(json.dumps(results))
"""


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a container: production settings, dummy values, no servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE=PRODUCTION_SETTINGS,
        DJANGO_SECRET_KEY="test-docker-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="impactportaal.example",
        EMAIL_URL="consolemail://",
        DATABASE_URL="postgres://portal@127.0.0.1:9/unused",
        REDIS_URL="redis://127.0.0.1:9/0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def check_entry_points(commands: list[list[str]]) -> list[dict]:
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", ENTRY_POINT_CHECKER, json.dumps(commands)],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def command_argv(command: str | list[str]) -> list[str]:
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {key: (None if value is None else str(value)) for key, value in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    instructions = []
    for line in logical:
        keyword, _, args = line.strip().partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def dockerfile_cmd() -> list[str]:
    (cmd,) = [args for keyword, args in final_stage() if keyword == "CMD"]
    return json.loads(cmd)  # exec form: gunicorn is PID 1 and gets the stop signal


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, args in final_stage():
        if keyword == "ENV":
            env.update(re.findall(r"(\w+)=(\S+)", args))
    return env


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def entry_points(services) -> dict[str, dict]:
    """The checker's verdict on every app service's command and on the image's CMD."""
    names = [*APP_SERVICES, "Dockerfile CMD"]
    commands = [command_argv(services[name]["command"]) for name in APP_SERVICES]
    return dict(zip(names, check_entry_points([*commands, dockerfile_cmd()]), strict=True))


# The services ------------------------------------------------------------------------------


def test_the_stack_has_its_services(services):
    assert set(services) >= {"postgres", "redis", *APP_SERVICES}


def test_app_services_run_one_image_built_from_the_dockerfile(services):
    builds = {json.dumps(services[name].get("build"), sort_keys=True) for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(builds) == 1 and len(images) == 1, (builds, images)
    assert None not in images

    build = services["web"]["build"]
    if isinstance(build, str):
        build = {"context": build}
    context = (BASE_DIR / build["context"]).resolve()
    assert context == BASE_DIR
    assert (context / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_command_is_a_real_entry_point(entry_points, name):
    result = entry_points[name]
    assert result["ok"], result.get("traceback")
    tool, entry = EXPECTED_ENTRY_POINTS[name]
    assert (result["tool"], result["entry"]) == (tool, entry)
    if tool == "gunicorn":
        assert result["callable"] and result["django_wsgi_handler"]
        assert result["bind"] == ["0.0.0.0:8000"]
    if tool == "celery":
        assert result["app"] == "impactportal"
        assert result["is_impactportal_celery_app"]


def test_dockerfile_cmd_is_the_web_server(entry_points, services):
    cmd, web = entry_points["Dockerfile CMD"], entry_points["web"]
    assert cmd["ok"], cmd.get("traceback")
    assert cmd["tool"] == "gunicorn" and cmd["django_wsgi_handler"]
    assert (cmd["entry"], cmd["bind"]) == (web["entry"], web["bind"])
    # The port the image exposes is the one gunicorn listens on.
    exposed = {args for keyword, args in final_stage() if keyword == "EXPOSE"}
    assert exposed == {cmd["bind"][0].rsplit(":", 1)[1]}
    # No ENTRYPOINT: compose's commands run as written.
    assert not [args for keyword, args in dockerfile_instructions() if keyword == "ENTRYPOINT"]


@pytest.mark.parametrize(
    "argv",
    [
        ["gunicorn", "impactportal.wsgi:app", "--bind", "0.0.0.0:8000"],
        ["gunicorn", "impactportal.wsgy:application", "--bind", "0.0.0.0:8000"],
        ["gunicorn", "impactportal.wsgi:application", "--no-such-option"],
        ["celery", "-A", "impactportl", "worker"],
        ["celery", "-A", "impactportal.settings", "worker"],
        ["celery", "-A", "impactportal", "wroker"],
        ["celery", "-A", "impactportal", "worker", "-l", "LOUD"],
        ["python", "manage.py", "migrat", "--noinput"],
        ["python", "manage.py", "migrate", "--no-such-option"],
        ["python", "manage.py"],
    ],
    ids=" ".join,
)
def test_the_checker_rejects_a_command_that_names_nothing_real(argv):
    (result,) = check_entry_points([argv])
    assert not result["ok"], result


# Configuration -----------------------------------------------------------------------------


def test_app_services_run_the_production_settings(services):
    assert find_spec(PRODUCTION_SETTINGS) is not None
    for name in APP_SERVICES:
        assert environment(services[name]).get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS
    assert dockerfile_env().get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS


def required_by_production_settings() -> set[str]:
    """Variables that production.py reads with no default: env("X"), env.list("X"), ..."""
    source = (BASE_DIR / "impactportal/settings/production.py").read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*\"(\w+)\"\s*\)", source))


def test_required_settings_come_from_the_environment_or_compose_refuses_to_start(services):
    required = required_by_production_settings()
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "EMAIL_URL"} <= required
    required |= {"DJANGO_CSRF_TRUSTED_ORIGINS", "PORTAL_BASE_URL"}
    for name in APP_SERVICES:
        env = environment(services[name])
        for variable in sorted(required):
            match = REQUIRED_VARIABLE.match(env.get(variable) or "")
            assert match and match["name"] == variable, (name, variable, env.get(variable))


def test_app_services_reach_the_stacks_database_and_redis(services):
    postgres = environment(services["postgres"])
    for name in APP_SERVICES:
        env = environment(services[name])
        database = urlsplit(INTERPOLATION.sub("VARIABLE", env["DATABASE_URL"]))
        assert database.scheme in ("postgres", "postgresql", "pgsql")
        assert (database.hostname, database.port) == ("postgres", 5432)
        assert database.username == postgres["POSTGRES_USER"]
        assert database.path == "/" + postgres["POSTGRES_DB"]
        # The password is the very variable the postgres service is started with.
        password = INTERPOLATION.search(env["DATABASE_URL"])[0]
        assert REQUIRED_VARIABLE.match(password)["name"] == "POSTGRES_PASSWORD"
        assert REQUIRED_VARIABLE.match(postgres["POSTGRES_PASSWORD"])["name"] == "POSTGRES_PASSWORD"

        redis = urlsplit(env["REDIS_URL"])
        assert (redis.scheme, redis.hostname, redis.port or 6379) == ("redis", "redis", 6379)


def test_no_secret_has_a_literal_value(compose, services):
    for service_name, service in services.items():
        for key, value in environment(service).items():
            if value is None:
                continue
            if SECRET_NAME.search(key) or key == "EMAIL_URL":
                assert REQUIRED_VARIABLE.match(value), (service_name, key, "has a literal value")
            if "://" in value:
                # A password inside a URL must be a variable too.
                parsed = urlsplit(INTERPOLATION.sub("VARIABLE", value))
                if parsed.password is not None:
                    assert parsed.password == "VARIABLE", (service_name, key)
        build = service.get("build")
        if isinstance(build, dict):
            for key in build.get("args") or {}:
                assert not SECRET_NAME.search(key), (service_name, "build arg", key)
    # Nor does the image carry one: the build-only dummies live inside a RUN.
    for keyword, args in dockerfile_instructions():
        if keyword in ("ENV", "ARG"):
            names = [args.split()[0].split("=")[0], *re.findall(r"(?:^|\s)(\w+)=", args)]
            assert not [name for name in names if SECRET_NAME.search(name)], (keyword, args)
    # An .env file beside docker-compose.yml must never reach the build context.
    ignored = DOCKERIGNORE.read_text().split()
    assert ".env" in ignored and ".git" in ignored and ".venv" in ignored


# Start-up order and state ----------------------------------------------------------------


def test_migrations_run_once_before_web_worker_and_beat(services):
    migrate = services["migrate"]
    assert command_argv(migrate["command"])[1:3] == ["manage.py", "migrate"]
    # A finished one-shot job must not be restarted by an always/unless-stopped policy.
    assert str(migrate.get("restart", "no")) in ("no", "on-failure")
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert depends_on["redis"]["condition"] == "service_healthy"


def test_every_awaited_health_has_a_healthcheck(services):
    for service in services.values():
        depends_on = service.get("depends_on") or {}
        if isinstance(depends_on, dict):
            for target, condition in depends_on.items():
                assert target in services
                if condition.get("condition") == "service_healthy":
                    assert services[target].get("healthcheck"), target


def test_postgres_and_redis_keep_their_data_in_volumes(compose, services):
    postgres, redis = services["postgres"], services["redis"]
    assert postgres["image"].split(":")[:2] == ["postgres", "18"]
    # From 18 on the image refuses a mount at /var/lib/postgresql/data.
    assert "postgres-data:/var/lib/postgresql" in postgres["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"]

    assert redis["image"].split(":")[:2] == ["redis", "7"]
    command = command_argv(redis["command"])
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])

    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0]
            assert source in declared or source.startswith((".", "/")), volume


def test_uploads_live_in_a_volume_outside_the_web_root(services):
    media_root = environment(services["web"])["DJANGO_MEDIA_ROOT"]
    assert media_root == dockerfile_env()["DJANGO_MEDIA_ROOT"]
    assert media_root.startswith("/") and not media_root.startswith("/app")
    for name in ("web", "worker"):
        assert environment(services[name])["DJANGO_MEDIA_ROOT"] == media_root
        assert any(v.split(":")[1] == media_root for v in services[name]["volumes"]), name


def test_web_healthcheck_asks_the_health_view(services, entry_points):
    from django.urls import resolve

    from impactportal.views import health

    script = " ".join(command_argv(services["web"]["healthcheck"]["test"]))
    port = re.search(r"HTTPConnection\([\"']127\.0\.0\.1:(\d+)[\"']", script)
    path = re.search(r"\.request\([\"']GET[\"'],\s*[\"'](/[^\"']*)[\"']", script)
    assert port and path, script
    # gunicorn's port in the container, and the health view behind the path.
    assert port[1] == entry_points["web"]["bind"][0].rsplit(":", 1)[1]
    assert resolve(path[1]).func is health


# The image -----------------------------------------------------------------------------------


def test_dockerfile_builds_a_slim_python_311_image_with_the_locked_dependencies():
    instructions = dockerfile_instructions()
    bases = [args.split()[0] for keyword, args in instructions if keyword == "FROM"]
    assert bases and set(bases) == {"python:3.11-slim"}
    runs = " && ".join(args for keyword, args in instructions if keyword == "RUN")
    locked = re.search(r"uv sync [^&|]*--frozen[^&|]*--no-dev", runs) or re.search(
        r"uv export [^&|]*--frozen[^&|]*--no-dev", runs
    )
    assert locked, runs
    assert not re.search(r"--all-groups|--group dev|--only-dev", runs)
    assert "gettext" in runs and "manage.py compilemessages" in runs
    assert "manage.py collectstatic --noinput" in runs
    assert f"DJANGO_SETTINGS_MODULE={PRODUCTION_SETTINGS}" in runs


def test_image_runs_as_a_user_other_than_root():
    users = [args for keyword, args in final_stage() if keyword == "USER"]
    assert users, "no USER: the processes would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_collectstatic_succeeds_with_the_production_settings(tmp_path):
    """The Dockerfile's build step: the manifest storage fails on any missing reference."""
    code = (
        "import sys, django\n"
        "from django.conf import settings\n"
        "settings.STATIC_ROOT = sys.argv[1]\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('collectstatic', '--noinput', verbosity=0)\n"
    )
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert manifest["paths"]


# Development tooling ---------------------------------------------------------------------------

# Runs in a subprocess with the production settings and devtools/ unimportable, as in the
# image: sets Django up, runs the system checks, loads every management command and URL
# pattern, and imports every module of the portal's own packages.
WITHOUT_DEVTOOLS = r"""
import importlib
import json
import pkgutil
import sys
from pathlib import Path

sys.modules["devtools"] = None  # any import of it now fails, as where it is not copied

import django

django.setup()

from django.apps import apps
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.urls import get_resolver

call_command("check")
for name, app in get_commands().items():
    load_command_class(app, name)
get_resolver().url_patterns
packages = {
    config.name.split(".")[0]
    for config in apps.get_app_configs()
    if (Path(settings.BASE_DIR) / config.name.split(".")[0]).is_dir()
}
modules = 0
for package in sorted(packages):
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, f"{package}."):
        importlib.import_module(module.name)
        modules += 1
print(json.dumps({"packages": sorted(packages), "modules": modules}))
"""


def test_development_tooling_stays_out_of_the_image():
    # The image copies the whole build context; .dockerignore keeps the tooling out of it.
    assert ("COPY", ". .") in dockerfile_instructions()
    ignored = [line.strip().rstrip("/") for line in DOCKERIGNORE.read_text().splitlines()]
    assert "devtools" in ignored and "tests" in ignored
    assert (BASE_DIR / "devtools" / "apps.py").exists()


def test_the_production_settings_need_no_development_tooling():
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", WITHOUT_DEVTOOLS],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "devtools" not in loaded["packages"]
    assert {"impactportal", "accounts", "procurement", "monitor"} <= set(loaded["packages"])
    assert loaded["modules"] > 100


def test_the_development_settings_install_the_tooling_and_production_does_not():
    code = "from django.conf import settings; print(' '.join(settings.INSTALLED_APPS))"
    installed = {}
    for name in ("production", "benchmark", "local", "test"):
        module = f"impactportal.settings.{name}"
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            [sys.executable, "-c", code],
            cwd=BASE_DIR,
            env=production_env(DJANGO_SETTINGS_MODULE=module),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        installed[name] = result.stdout.split()
    assert "devtools" not in installed["production"]
    assert all("devtools" in installed[name] for name in ("benchmark", "local", "test"))
