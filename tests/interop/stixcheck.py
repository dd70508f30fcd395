"""The official checks of a STIX 2.1 object, as a member's tools would run
them: the OASIS STIX 2.1 JSON Schemas (../shared/interop/stix2-json-schemas),
the OASIS pattern validator (stix2patterns) and the OASIS library's parser
(stix2.parse with allow_custom=False).  Nothing here is the portal's code.
"""
import glob
import json
import os

import jsonschema
import stix2
from stix2patterns.validator import run_validator

SCHEMA_SUBDIRS = ('common', 'sdos', 'sros', 'observables')
# Types whose schema is in common/ (the rest: sdos/, sros/, observables/).
COMMON_TYPES = ('marking-definition', 'extension-definition', 'bundle', 'language-content')


class Schemas:
    """The official schemas, each $ref resolved from the local folder."""

    def __init__(self, root):
        self.root = root
        self.store = {}
        self.by_path = {}
        for sub in SCHEMA_SUBDIRS:
            for f in sorted(glob.glob(os.path.join(root, sub, '*.json'))):
                with open(f, encoding='utf-8') as fh:
                    s = json.load(fh)
                self.store[s['$id']] = s
                self.by_path['%s/%s' % (sub, os.path.basename(f)[:-5])] = s
        if len(self.store) < 50:
            raise RuntimeError('only %d schemas under %s' % (len(self.store), root))
        self._validators = {}

    def schema_for(self, stix_type):
        for sub in ('common', 'sdos', 'sros', 'observables'):
            if sub == 'common' and stix_type not in COMMON_TYPES:
                continue
            s = self.by_path.get('%s/%s' % (sub, stix_type))
            if s is not None:
                return s
        return None

    def validator(self, stix_type):
        v = self._validators.get(stix_type)
        if v is None:
            schema = self.schema_for(stix_type)
            if schema is None:
                return None
            cls = jsonschema.validators.validator_for(schema)
            resolver = jsonschema.RefResolver(base_uri=schema['$id'], referrer=schema,
                                              store=self.store)
            v = cls(schema, resolver=resolver, format_checker=cls.FORMAT_CHECKER
                    if hasattr(cls, 'FORMAT_CHECKER') else jsonschema.FormatChecker())
            self._validators[stix_type] = v
        return v

    def errors(self, obj):
        """A list of the schema's complaints about obj ([] when it is valid)."""
        t = obj.get('type') if isinstance(obj, dict) else None
        v = self.validator(t) if isinstance(t, str) else None
        if v is None:
            return ['no official STIX 2.1 schema for type %r' % (t,)]
        out = []
        for e in sorted(v.iter_errors(obj), key=lambda e: list(e.absolute_path)):
            where = '/'.join(str(p) for p in e.absolute_path) or '(object)'
            out.append('%s: %s' % (where, e.message[:300]))
        return out


def pattern_errors(pattern):
    """The pattern validator's complaints about a STIX 2.1 pattern."""
    try:
        errs = run_validator(pattern, stix_version='2.1')
    except Exception as e:  # the validator itself choked
        return ['run_validator raised %s: %s' % (type(e).__name__, e)]
    return [str(e) for e in errs]


def parse_error(obj):
    """None when stix2.parse(obj, allow_custom=False) accepts obj, else why."""
    try:
        stix2.parse(json.dumps(obj), allow_custom=False)
    except Exception as e:
        return '%s: %s' % (type(e).__name__, str(e)[:400])
    return None


def object_problems(schemas, obj):
    """Everything the official tools say against one object."""
    probs = ['schema: ' + e for e in schemas.errors(obj)]
    if isinstance(obj, dict) and obj.get('type') == 'indicator' and \
            obj.get('pattern_type') == 'stix':
        probs += ['pattern %r: %s' % (obj.get('pattern'), e)
                  for e in pattern_errors(obj.get('pattern', ''))]
    pe = parse_error(obj)
    if pe:
        probs.append('stix2.parse: ' + pe)
    return probs
