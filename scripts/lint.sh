#!/usr/bin/env bash
# Checks that keep the code as docs/architecture.md describes it; run by .ci/run before the tests.
#  1. Formatting: every C++ file as clang-format (.clang-format: Google style, 120 columns) would write it.
#     `scripts/lint.sh --fix` rewrites them.
#  2. Layers: no SQL in server/api or server/app (statements live in server/store), and server/pg uses only
#     core/ of what lies beside it (no workflow/ headers).
#  3. GCC 12 and co_await: a braced temporary or a lambda built inside a co_await expression is destroyed
#     twice (docs/architecture.md, Pitfalls). Name the value first, then co_await with it.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
status=0

if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
elif ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/petitiond-format.txt; then
  grep -E '^[^ ].*: (error|warning):' /tmp/petitiond-format.txt | cut -d: -f1,2 | sort -u | head -20
  echo "lint: the files above are not formatted as .clang-format says; run scripts/lint.sh --fix" >&2
  status=1
fi

if grep -rnE '"(SELECT|INSERT|UPDATE|DELETE|WITH) ' server/api server/app; then
  echo "lint: SQL above belongs in server/store" >&2
  status=1
fi
if grep -rn '#include "workflow/' server/pg; then
  echo "lint: server/pg may include core/error.hpp, not workflow/" >&2
  status=1
fi

python3 - "${files[@]}" <<'PY' || status=1
import re, sys

def strip(text):
    # Comments and string literals out, lengths kept so that line numbers stay right.
    text = re.sub(r'R"(\w*)\((?:.|\n)*?\)\1"', lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', lambda m: '"' + ' ' * (len(m.group(0)) - 2) + '"', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])'", "' '", text)
    text = re.sub(r'//[^\n]*', lambda m: ' ' * len(m.group(0)), text)
    return text

def operand(text, start):
    # The expression after co_await: up to the end of its statement or the enclosing bracket.
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c in '([{': depth += 1
        elif c in ')]}':
            if depth == 0: return text[start:i]
            depth -= 1
        elif c == ';' and depth == 0: return text[start:i]
        elif c == ',' and depth == 0: return text[start:i]
    return text[start:]

found = []
for path in sys.argv[1:]:
    text = strip(open(path, encoding='utf-8').read())
    for m in re.finditer(r'\bco_await\b', text):
        expr = operand(text, m.end())
        problem = None
        if re.search(r'\[[^\]]*\]\s*(\([^)]*\))?\s*(mutable\s*)?(->[^{]*)?\{', expr): problem = 'a lambda'
        elif '{' in expr: problem = 'a braced temporary'
        if problem:
            line = text.count('\n', 0, m.start()) + 1
            found.append(f'{path}:{line}: {problem} inside a co_await expression; name it first')
for item in found: print(item)
if found:
    print(f'lint: {len(found)} co_await expressions build temporaries GCC 12 destroys twice', file=sys.stderr)
    sys.exit(1)
PY
exit $status
