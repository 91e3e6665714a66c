#!/usr/bin/env bash
# Mutation testing with mutmut (configured in setup.cfg, [mutmut]) over the rule modules, on SQLite.
# Slow (minutes per module): run by hand, not by CI. Results and survivors: docs/mutation.md.
#
#   scripts/mutation.sh                      # the four modules below
#   scripts/mutation.sh assessment.rules     # one module (or several), by its dotted name
#   MUTATION_FRESH=1 scripts/mutation.sh …   # forget earlier results (mutants/) and start again
#
# mutmut copies the sources into mutants/, mutates only the files of setup.cfg's only_mutate, first runs the
# fast targeted tests of setup.cfg's pytest_add_cli_args_test_selection once to learn which test calls which
# function, then runs for each mutant only the tests that call its function. Survivors: `.venv/bin/mutmut
# results`; one mutant's diff: `.venv/bin/mutmut show NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
[ -x .venv/bin/mutmut ] || .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# SQLite and in-process Celery, whatever the shell says: the tests must not touch shared services.
unset DATABASE_URL CELERY_BROKER_URL CELERY_RESULT_BACKEND

ALL=(assessment.rules counties.validation liangshan_edu.roles counties.services)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=("${ALL[@]}")
for m in "${modules[@]}"; do
    case " ${ALL[*]} " in *" $m "*) ;; *) echo "unknown module $m (one of: ${ALL[*]})" >&2; exit 2 ;; esac
done

[ -z "${MUTATION_FRESH:-}" ] || rm -rf mutants

patterns=()
for m in "${modules[@]}"; do patterns+=("$m.*"); done
mkdir -p mutants
echo "mutmut run ${patterns[*]} (log: mutants/run.log)"
.venv/bin/mutmut run "${patterns[@]}" > mutants/run.log 2>&1 || { tail -n 40 mutants/run.log; exit 1; }

echo
echo "module                 killed / total   score  survived  other"
.venv/bin/mutmut results --all true | awk -v wanted="${modules[*]}" '
    BEGIN { n = split(wanted, w, " "); for (i = 1; i <= n; i++) keep[w[i]] = 1 }
    {
        name = $1; sub(/:$/, "", name); status = $2
        module = name; sub(/\.x[_ǁ].*$/, "", module)
        if (!(module in keep)) next
        total[module]++
        if (status == "killed") killed[module]++
        else if (status == "survived") { survived[module]++; names[module] = names[module] "\n    " name }
        else other[module]++
    }
    END {
        for (m in total) {
            printf "%-22s %6d / %-6d %6.1f%%  %8d  %5d\n", m, killed[m], total[m], 100 * killed[m] / total[m],
                survived[m], other[m]
        }
        for (m in names) printf "\nsurvivors in %s:%s\n", m, names[m]
    }'
