"""A model of awsrun running one boto3 command in many accounts, for bench/FanOut.ps1.

awsrun (Fidelity's "run a command across AWS accounts concurrently", on PyPI) cannot be installed
on the bench machine: its registry is not reachable there. This file rebuilds, with boto3, the
steps awsrun takes per account when its credentials come from cross-account access off a profile
base account (the ProfileCrossAccount plug-in), so that the bench measures the same calls in the
same order with the same libraries. Followed from fidelity/awsrun on GitHub:

  src/awsrun/runner.py            commit c6c98322f3423a102aaa44ca43f01da5cd825b1c
      AccountRunner.run: a ThreadPoolExecutor of max_workers (the CLI's --threads, default 10);
      one task per account: session_provider.session(acct_id), then cmd.execute(session, acct),
      the result or the exception wrapped in a callable; the main thread calls
      cmd.collect_results(acct, get_result) for each future in as_completed order.
  src/awsrun/session/aws.py       commit 720f4bea0bed7a087013c911aa7e39cbc2ba101c
      CachingSessionProvider.session: under one lock, setdefault((acct, role),
      ExpiringValue(lambda: self.credentials(acct), duration / 2)); then ev.value(); then a NEW
      boto3.Session(aws_access_key_id=..., aws_secret_access_key=..., aws_session_token=...).
      CredsViaCrossAccount.credentials: self._base_auth.session(base_acct).client("sts") (a new
      base session and client per account), assume_role(RoleArn=arn:aws:iam::ACCT:role/ROLE,
      RoleSessionName="AWSRunSession" + randint(10000, 99999), DurationSeconds=duration,
      ExternalId when configured); returns the "Credentials" dict.
      CredsViaProfile.session: boto3.Session(profile_name=acct), and boto3.Session() when that
      profile does not exist (botocore ProfileNotFound): the environment's keys here.
  src/awsrun/cache.py             commit 8182a6e162ea9eebe80c66bc84c17a683ee5bb9d
      ExpiringValue: a lock per value; value() refreshes under that lock when time.time() is at or
      past the expiry, which save() sets to now + max_age.
  src/awsrun/plugins/creds/aws.py commit 61efc01eb38309332a698401c57c175734fc050f
      ProfileCrossAccount: CredsViaCrossAccount(base_auth=CredsViaProfile(), base_acct=x_acct.base,
      role=x_acct.role, external_id=x_acct.external_id, duration=x_acct.duration or 3600).

The user command is a boto3 one, as awsrun's own commands are: session.client("sts") and
get_caller_identity() in the account. Not modelled: awsrun's CLI start (argument and YAML config
parsing, plug-in loading), account loaders and filters, and its `aws` command (the AWS CLI per
account), which would only add to its time. The endpoint comes from the environment
(AWS_ENDPOINT_URL_STS, read by botocore), as for any boto3 program.

python3 awsrun_model.py --accounts-file FILE [--threads 10] [--base-account ID] [--role NAME]
                        [--external-id ID]
prints one JSON object: accounts, threads, seconds (AccountRunner.run's own figure), the calls
made, the errors and the accounts whose GetCallerIdentity named another account.
"""
import argparse
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import boto3
import botocore.exceptions


class ExpiringValue:
    """cache.py's in-memory expiring value: loaded on first use, refreshed once expired."""

    def __init__(self, load, max_age):
        self._load = load
        self._max_age = max_age
        self._lock = threading.Lock()
        self._value = None
        self._expires = 0.0

    def value(self):
        with self._lock:
            if time.time() >= self._expires:
                self._value = self._load()
                self._expires = time.time() + self._max_age
            return self._value


class ProfileSessions:
    """session/aws.py's CredsViaProfile: a new boto3 Session per call, the default one as fallback."""

    def session(self, account):
        try:
            return boto3.Session(profile_name=account)
        except botocore.exceptions.ProfileNotFound:
            return boto3.Session()


class CrossAccountSessions:
    """session/aws.py's CachingSessionProvider + CredsViaCrossAccount."""

    def __init__(self, base_sessions, base_account, role, external_id=None, duration=3600):
        self._base_sessions = base_sessions
        self._base_account = base_account
        self._role = role
        self._external_id = external_id
        self._duration = duration
        self._cache = {}
        self._lock = threading.Lock()
        self.assume_role_calls = 0

    def session(self, account):
        with self._lock:
            entry = self._cache.setdefault(
                (account, self._role),
                ExpiringValue(lambda: self._credentials(account), self._duration / 2),
            )
        credentials = entry.value()
        return boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

    def _credentials(self, account):
        sts = self._base_sessions.session(self._base_account).client("sts")
        request = {
            "RoleArn": f"arn:aws:iam::{account}:role/{self._role}",
            "RoleSessionName": f"AWSRunSession{random.randint(10000, 99999)}",
            "DurationSeconds": self._duration,
        }
        if self._external_id:
            request["ExternalId"] = self._external_id
        answer = sts.assume_role(**request)
        with self._lock:
            self.assume_role_calls += 1
        return answer["Credentials"]


class CallerIdentityCommand:
    """The user command: GetCallerIdentity in the account; results gathered by the main thread."""

    def __init__(self):
        self.results = {}
        self.errors = {}

    def execute(self, session, account):
        return session.client("sts").get_caller_identity()["Account"]

    def collect_results(self, account, get_result):
        try:
            self.results[account] = get_result()
        except Exception as error:  # noqa: BLE001 - awsrun reports every error per account
            self.errors[account] = error


def _wrapped(call, *args):
    try:
        result = call(*args)
        return lambda: result
    except Exception as error:  # noqa: BLE001
        return _raising(error)


def _raising(error):
    def get_result():
        raise error

    return get_result


def run(sessions, command, accounts, threads):
    """runner.py's AccountRunner.run: a worker pool over the accounts; seconds taken."""
    start = time.time()
    with ThreadPoolExecutor(max_workers=threads) as pool:

        def work(account):
            try:
                return _wrapped(command.execute, sessions.session(account), account)
            except Exception as error:  # noqa: BLE001 - a session that failed is that account's error
                return _raising(error)

        futures = {pool.submit(work, account): account for account in accounts}
        for future in as_completed(futures):
            command.collect_results(futures[future], future.result())
    return time.time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts-file", required=True, help="one account id a line")
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--base-account", default="111111111111")
    parser.add_argument("--role", default="OrganizationAccountAccessRole")
    parser.add_argument("--external-id")
    args = parser.parse_args()
    with open(args.accounts_file, encoding="utf-8") as file:
        accounts = [line.strip() for line in file if line.strip()]

    sessions = CrossAccountSessions(ProfileSessions(), args.base_account, args.role, args.external_id)
    command = CallerIdentityCommand()
    seconds = run(sessions, command, accounts, args.threads)
    wrong = sorted(a for a, r in command.results.items() if r != a)
    print(json.dumps({
        "Accounts": len(accounts),
        "Threads": args.threads,
        "Seconds": round(seconds, 3),
        "AssumeRole": sessions.assume_role_calls,
        "GetCallerIdentity": len(command.results),
        "Errors": len(command.errors),
        "FirstError": str(next(iter(command.errors.values()))) if command.errors else None,
        "Wrong": len(wrong),
    }))


if __name__ == "__main__":
    main()
