# shellcheck shell=sh
# Sourced by ./mvnw and ./ledger: makes JAVA_HOME point at a JDK 21 or newer.
#
# Why: the project compiles for Java 21, but the machines it runs on often have an older default
# `java` (17 on the dev boxes) next to a newer JDK that nobody put on the PATH. Instead of failing
# with "release version 21 not supported", pick a suitable JDK, in this order:
#   1. JAVA_HOME, if it is a JDK 21+;
#   2. the `java` on the PATH, if it is 21+ (and has a javac next to it);
#   3. the newest JDK 21+ under /usr/lib/jvm, /opt/java, /usr/java, ~/.sdkman/candidates/java and
#      /Library/Java/JavaVirtualMachines/*/Contents/Home;
# else stop with a message that says what to install.
#
# POSIX sh, because mvnw runs under /bin/sh with `set -euf` (no globbing: it is switched on here
# only while scanning). Names start with _ledger_ and are unset at the end.

_ledger_required=21

# The major version of the JDK at $1, or nothing. Reads the `release` file (no JVM start);
# falls back to asking the JVM for JDKs without one.
_ledger_major() {
  _ledger_v=""
  if [ -r "$1/release" ]; then
    _ledger_v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$1/release" | head -n 1)
  fi
  if [ -z "$_ledger_v" ] && [ -x "$1/bin/java" ]; then
    _ledger_v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = *//p' | head -n 1)
  fi
  case "$_ledger_v" in
  1.*) _ledger_v=${_ledger_v#1.} ;;
  esac
  _ledger_v=${_ledger_v%%[!0-9]*}
  printf '%s' "$_ledger_v"
}

# True when $1 is a JDK (java and javac) of version 21 or newer.
_ledger_is_suitable() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  _ledger_m=$(_ledger_major "$1")
  [ -n "$_ledger_m" ] && [ "$_ledger_m" -ge "$_ledger_required" ]
}

_ledger_found=""

if [ -n "${JAVA_HOME-}" ]; then
  if _ledger_is_suitable "$JAVA_HOME"; then
    _ledger_found=$JAVA_HOME
  else
    echo "Note: ignoring JAVA_HOME=$JAVA_HOME (not a JDK $_ledger_required or newer)" >&2
  fi
fi

if [ -z "$_ledger_found" ] && command -v java >/dev/null 2>&1; then
  # The JDK home behind the `java` on the PATH, as the JVM itself reports it (symlinks resolved).
  _ledger_home=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = *//p' | head -n 1)
  if _ledger_is_suitable "$_ledger_home"; then
    _ledger_found=$_ledger_home
  fi
fi

if [ -z "$_ledger_found" ]; then
  _ledger_best=0
  case $- in *f*) _ledger_noglob=1 ;; *) _ledger_noglob=0 ;; esac
  set +f
  for _ledger_candidate in /usr/lib/jvm/* /opt/java/* /usr/java/* "${HOME-}"/.sdkman/candidates/java/* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    if _ledger_is_suitable "$_ledger_candidate"; then
      _ledger_m=$(_ledger_major "$_ledger_candidate")
      if [ "$_ledger_m" -gt "$_ledger_best" ]; then
        _ledger_best=$_ledger_m
        _ledger_found=$_ledger_candidate
      fi
    fi
  done
  if [ "$_ledger_noglob" -eq 1 ]; then set -f; fi
fi

if [ -z "$_ledger_found" ]; then
  echo "JDK $_ledger_required or newer is required; install e.g. Temurin $_ledger_required and set JAVA_HOME" >&2
  exit 1
fi

JAVA_HOME=$_ledger_found
export JAVA_HOME

unset _ledger_required _ledger_v _ledger_m _ledger_found _ledger_home _ledger_best _ledger_noglob _ledger_candidate
unset -f _ledger_major _ledger_is_suitable
