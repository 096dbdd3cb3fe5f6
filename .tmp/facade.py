# Rewrites client imports of server/src/<sub>/... to the facade server/src/<sub>, merging per file.
import re, sys, os, glob
files = glob.glob('client/src/**/*.ts', recursive=True)
imp = re.compile(r"^import (type )?\{([^}]*)\} from '((?:\.\./)+server/src/(engine|identity|identities|live|shared|stores))(/[^']*)?';\n", re.M)
for f in files:
    s = open(f).read()
    found = list(imp.finditer(s))
    if not found: continue
    groups = {}  # (prefix) -> list of (typeonly, names)
    order = []
    for m in found:
        base = m.group(3)
        if base not in groups: groups[base] = []; order.append((m.start(), base))
        typeonly = bool(m.group(1))
        for n in m.group(2).split(','):
            n = n.strip()
            if not n: continue
            if typeonly and not n.startswith('type '): n = 'type ' + n
            groups[base].append(n)
    # remove all, insert merged at first position of each base
    first = {}
    for m in found:
        first.setdefault(m.group(3), m.start())
    out = []; pos = 0
    for m in found:
        out.append(s[pos:m.start()])
        base = m.group(3)
        if first[base] == m.start():
            names = sorted(set(groups[base]), key=lambda n: n.replace('type ', '').lower())
            if all(n.startswith('type ') for n in names):
                line = "import type { %s } from '%s';\n" % (', '.join(n[5:] for n in names), base)
            else:
                line = "import { %s } from '%s';\n" % (', '.join(names), base)
            out.append(line)
        pos = m.end()
    out.append(s[pos:])
    open(f, 'w').write(''.join(out))
    print('rewrote', f)
