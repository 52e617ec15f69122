"""Starts moto 5.2.1 as the emulated AWS account of `stepflow rehearse`.

Run as `python3 moto_launcher.py --port <moto port> --region <region>` with MOTO_PORT set to
the port of the rehearsal's Node proxy: moto's Step Functions interpreter calls Lambda, S3,
DynamoDB and Step Functions at `http://localhost:$MOTO_PORT`, so the proxy can run Lambda
invocations with the real bundles and check IAM before forwarding the rest here.

moto 5.2.1 has bugs that keep a CDK stack from deploying or running; each is patched below at
start-up, by monkeypatching (site-packages is never edited). The account is bootstrapped as
`cdk bootstrap` would (the SSM version parameter and the assets bucket).
"""

import argparse
import sys

MOTO_VERSION = "5.2.1"
INSTALL_HINT = f'install it with `pip install "moto[server]=={MOTO_VERSION}"`'
BOOTSTRAP_QUALIFIER = "hnb659fds"


def require_moto():
    """Exits with code 3 and the install command when moto is missing or another version."""
    try:
        import moto
        import flask  # noqa: F401  (moto's server extra)
    except ImportError as error:
        sys.stderr.write(f"stepflow rehearse needs the Python package moto {MOTO_VERSION} with its server extra "
                         f"({error}); {INSTALL_HINT}\n")
        sys.exit(3)
    if moto.__version__ != MOTO_VERSION:
        sys.stderr.write(f"stepflow rehearse needs moto {MOTO_VERSION}, found {moto.__version__}: the launcher "
                         f"patches bugs of that version; {INSTALL_HINT}\n")
        sys.exit(3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--account", default="123456789012")
    args = parser.parse_args()
    require_moto()
    # Imported after the check so a missing moto gives the hint, not a traceback.
    import moto_patches

    moto_patches.apply()
    bootstrap(args.account, args.region)
    from moto.core.config import default_user_config

    # Before any state machine exists: the executing backend is chosen per request.
    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
    from moto.server import main as serve

    sys.stdout.write(f"stepflow-moto listening on {args.port}\n")
    sys.stdout.flush()
    serve(["-H", "127.0.0.1", "-p", str(args.port)])


def bootstrap(account, region):
    """What `cdk bootstrap` leaves in an account: the version parameter and the assets bucket."""
    from moto.s3.models import s3_backends
    from moto.ssm.models import ssm_backends

    ssm_backends[account][region].put_parameter(
        name=f"/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version", description="", value="30",
        parameter_type="String", allowed_pattern=None, keyid=None, overwrite=True, tags=[],
        data_type="text", tier=None, policies=None)
    s3_backends[account]["aws"].create_bucket(f"cdk-{BOOTSTRAP_QUALIFIER}-assets-{account}-{region}", region)


if __name__ == "__main__":
    main()
