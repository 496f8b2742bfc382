#!/usr/bin/env bash
# A stand-in for the helpers jdx/mise's e2e tests are sourced with (its e2e/assert.sh), written
# for this project from their documented behaviour, so that the series' e2e test runs here,
# offline, before upstream runs it. Each helper runs its command with bash; the `fail` ones expect
# a failure and read stdout and stderr together.
# shellcheck disable=SC2317

[[ -n ${TEST_NAME:-} ]] || {
  echo "run me through the harness (TEST_NAME is unset)" >&2
  exit 1
}

ok() { echo "ok: $*" >&2; }
fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# The command's stdout; a failure of the command fails the test.
succeeds() {
  local status=0
  echo "\$ $1" >&2
  bash -c "$1" || status=$?
  [[ $status -eq 0 ]] || fail "[$1] exited with status $status"
}

# The command's stdout and stderr; a success of the command fails the test.
fails() {
  local status=0
  echo "\$ $1" >&2
  MISE_FRIENDLY_ERROR=1 RUST_BACKTRACE=0 bash -c "$1 2>&1" || status=$?
  [[ $status -ne 0 ]] || fail "[$1] succeeded but was expected to fail"
}

assert_succeed() {
  succeeds "$1" >/dev/null
  ok "[$1] succeeded"
}

assert_fail() {
  local out
  out="$(fails "$1")"
  [[ -z ${2:-} || $out == *"$2"* ]] || fail "[$1] expected '$2' in '$out'"
  ok "[$1] failed"
}

assert() {
  local out
  out="$(succeeds "$1")"
  [[ -z ${2:-} || $out == "$2" ]] || fail "[$1] expected '$2' but got '$out'"
  ok "[$1]"
}

assert_contains() {
  local out
  out="$(succeeds "$1")"
  [[ $out == *"$2"* ]] || fail "[$1] expected '$2' in '$out'"
  ok "[$1] has '$2'"
}

assert_not_contains() {
  local out
  out="$(succeeds "$1")"
  [[ $out != *"$2"* ]] || fail "[$1] expected no '$2' in '$out'"
  ok "[$1] has no '$2'"
}

assert_matches() {
  local out
  out="$(succeeds "$1")"
  [[ $out =~ $2 ]] || fail "[$1] expected a match of '$2' in '$out'"
  ok "[$1] matches '$2'"
}

assert_fail_contains() {
  local out
  out="$(fails "$1")"
  [[ $out == *"$2"* ]] || fail "[$1] expected '$2' in its failure '$out'"
  ok "[$1] failed with '$2'"
}
