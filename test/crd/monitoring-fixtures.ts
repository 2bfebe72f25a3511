/**
 * Test fixtures shaped like a monitoring operator's CRDs (rule groups and an Alertmanager-style
 * routing config), written for kubemu: the schema constructs such operators use — Go regexps with
 * inline flags (`^(?i)(abort|warn)?$`, `(?i)` inside an alternation group), duration patterns,
 * deep nesting (receivers → configs → TLS → secret key selectors), int-or-string, preserve-unknown
 * -fields subtrees (nested routes), list-map keys and a CEL rule.
 */

type Schema = Record<string, unknown>;

const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';
const DAY = '(?:[1-9]|[12][0-9]|3[01])';
const WEEKDAY = '((?i)sun|mon|tues|wednes|thurs|fri|satur)(?:day)?';
const MONTH = '((?i)jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december|1[0-2]|[1-9])';

function keySelector(what: string): Schema {
  return {
    type: 'object',
    description: `Selects a key of a ${what}.`,
    required: ['key'],
    properties: { key: str(), name: str({ default: '' }), optional: { type: 'boolean' } },
    'x-kubernetes-map-type': 'atomic',
  };
}

const tlsConfig: Schema = {
  type: 'object',
  properties: {
    ca: { type: 'object', properties: { secret: keySelector('Secret'), configMap: keySelector('ConfigMap') } },
    cert: { type: 'object', properties: { secret: keySelector('Secret'), configMap: keySelector('ConfigMap') } },
    keySecret: keySelector('Secret'),
    serverName: str(),
    insecureSkipVerify: { type: 'boolean' },
    minVersion: str({ enum: ['TLS10', 'TLS11', 'TLS12', 'TLS13'] }),
  },
};

const matcher: Schema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: str({ minLength: 1 }),
    matchType: str({ enum: ['!=', '=', '=~', '!~'] }),
    value: str(),
    regex: { type: 'boolean' },
  },
};

function crd(group: string, kind: string, plural: string, schema: Schema, shortNames: string[] = []): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, annotations: { 'controller-gen.kubebuilder.io/version': 'v0.16.0' } },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), categories: ['monitoring'], shortNames },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

/** A rule-group kind: groups (list-map by name) of alerting/recording rules. */
export function ruleGroupsCrd(): Record<string, unknown> {
  const rule: Schema = {
    type: 'object',
    required: ['expr'],
    properties: {
      alert: str(),
      record: str(),
      expr: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      for: str({ pattern: DURATION }),
      keep_firing_for: str({ minLength: 1, pattern: DURATION }),
      labels: { type: 'object', additionalProperties: str() },
      annotations: { type: 'object', additionalProperties: str() },
    },
  };
  return crd('monitoring.kubemu.dev', 'RuleGroups', 'rulegroups', {
    type: 'object',
    required: ['spec'],
    properties: {
      spec: {
        type: 'object',
        properties: {
          groups: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: {
              type: 'object',
              required: ['name'],
              properties: {
                name: str({ minLength: 1 }),
                interval: str({ pattern: DURATION }),
                query_offset: str({ pattern: DURATION }),
                limit: { type: 'integer' },
                labels: { type: 'object', additionalProperties: str() },
                partial_response_strategy: str({ pattern: '^(?i)(abort|warn)?$' }),
                rules: { type: 'array', items: rule },
              },
            },
          },
        },
      },
    },
  }, ['rg']);
}

/** An Alertmanager-style routing config: route (nested routes unchecked), receivers, inhibit rules, time intervals. */
export function routingConfigCrd(): Record<string, unknown> {
  const emailConfig: Schema = {
    type: 'object',
    properties: {
      to: str(),
      from: str(),
      smarthost: str(),
      authPassword: keySelector('Secret'),
      headers: {
        type: 'array',
        items: { type: 'object', required: ['key', 'value'], properties: { key: str({ minLength: 1 }), value: str() } },
      },
      requireTLS: { type: 'boolean' },
      tlsConfig,
    },
  };
  const webhookConfig: Schema = {
    type: 'object',
    properties: {
      url: str({ pattern: '^https?://.+$' }),
      urlSecret: keySelector('Secret'),
      maxAlerts: { type: 'integer', format: 'int32', minimum: 0 },
      httpConfig: {
        type: 'object',
        properties: {
          proxyURL: str({ pattern: '^(http|https|socks5)://.+$' }),
          followRedirects: { type: 'boolean' },
          tlsConfig,
          authorization: { type: 'object', properties: { type: str(), credentials: keySelector('Secret') } },
        },
      },
      sendResolved: { type: 'boolean' },
    },
  };
  const timeRange: Schema = {
    type: 'object',
    properties: {
      startTime: str({ pattern: '^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)' }),
      endTime: str({ pattern: '^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)' }),
    },
  };
  return crd('monitoring.kubemu.dev', 'RoutingConfig', 'routingconfigs', {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          route: {
            type: 'object',
            properties: {
              receiver: str(),
              groupBy: { type: 'array', items: str() },
              groupWait: str({ pattern: DURATION }),
              repeatInterval: str({ pattern: DURATION }),
              matchers: { type: 'array', items: matcher },
              continue: { type: 'boolean' },
              routes: { type: 'array', items: { 'x-kubernetes-preserve-unknown-fields': true } },
              activeTimeIntervals: { type: 'array', items: str() },
            },
          },
          receivers: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: {
              type: 'object',
              required: ['name'],
              properties: {
                name: str({ minLength: 1 }),
                emailConfigs: { type: 'array', items: emailConfig },
                webhookConfigs: { type: 'array', items: webhookConfig },
              },
            },
          },
          inhibitRules: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                sourceMatch: { type: 'array', items: matcher },
                targetMatch: { type: 'array', items: matcher },
                equal: { type: 'array', items: str() },
              },
            },
          },
          timeIntervals: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: str(),
                timeIntervals: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      times: { type: 'array', items: timeRange },
                      weekdays: { type: 'array', items: str({ pattern: `^${WEEKDAY}(?::${WEEKDAY})?$` }) },
                      daysOfMonth: {
                        type: 'array',
                        items: { type: 'object', properties: { start: { type: 'integer', minimum: -31, maximum: 31 }, end: { type: 'integer', minimum: -31, maximum: 31 } } },
                      },
                      months: { type: 'array', items: str({ pattern: `^${MONTH}(?::${MONTH})?$` }) },
                      years: { type: 'array', items: str({ pattern: '^2\\d{3}(?::2\\d{3}|$)' }) },
                      days: { type: 'array', items: str({ pattern: `^${DAY}(?::${DAY})?$` }) },
                    },
                  },
                },
              },
            },
          },
        },
        'x-kubernetes-validations': [
          { rule: "!has(self.route) || !has(self.route.receiver) || self.route.receiver.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')", message: 'route.receiver must be a DNS label' },
        ],
      },
    },
  }, ['rc']);
}
