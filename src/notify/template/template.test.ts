/**
 * Golden table for the Go text/template subset: each row is what Go 1.23's text/template prints
 * for the same template and data (floats wrapped in GoFloat where Go would hold a float64).
 * Two rows marked "lenient" are deliberate differences (int/float mixing), see docs/NOTIFICATIONS.md.
 */
import { describe, expect, it } from 'vitest';
import { GoFloat, renderTemplate, TemplateError } from './index.js';

const alert = {
  ID: 'pve1-node1-100-cpu',
  Level: 'critical',
  Type: 'cpu',
  ResourceName: 'web-01',
  Node: 'node1',
  Message: 'VM cpu at 95.5%',
  Value: new GoFloat(95.5),
  Threshold: new GoFloat(80),
  Count: 3,
  Empty: '',
  Zero: 0,
  Tags: ['a', 'b', 'c'],
  NoTags: [] as string[],
  Meta: { region: 'eu', rack: 7, nested: { deep: 'yes' } },
  Nil: null,
  Flag: true,
  Big: new GoFloat(1_000_000),
  Tiny: new GoFloat(0.00001),
  Quote: 'say "hi"\n\\',
};

type Row = [name: string, template: string, data: unknown, expected: string | { error: RegExp }];

const rows: Row[] = [
  // text, fields, missing values
  ['plain text', 'hello', alert, 'hello'],
  ['field', '{{.Level}}', alert, 'critical'],
  ['field chain', '{{.Meta.nested.deep}}', alert, 'yes'],
  ['missing key', '{{.Nope}}', alert, '<no value>'],
  ['missing key chain', '{{.Nope.Deeper}}', alert, '<no value>'],
  ['missing map key', '{{.Meta.missing}}', alert, '<no value>'],
  ['nil value prints no value', '{{.Nil}}', alert, '<no value>'],
  ['field of nil errors', '{{.Nil.X}}', alert, { error: /nil pointer evaluating interface \{\}\.X/ }],
  ['field of string errors', '{{.Level.X}}', alert, { error: /can't evaluate field X in type string/ }],
  ['dot', '{{.}}', 'just a string', 'just a string'],
  ['int', '{{.Count}}', alert, '3'],
  ['float shortest', '{{.Value}}', alert, '95.5'],
  ['integral float', '{{.Threshold}}', alert, '80'],
  ['big float uses exponent', '{{.Big}}', alert, '1e+06'],
  ['tiny float uses exponent', '{{.Tiny}}', alert, '1e-05'],
  ['bool', '{{.Flag}}', alert, 'true'],
  ['slice', '{{.Tags}}', alert, '[a b c]'],
  ['map sorted', '{{.Meta.nested}}', alert, 'map[deep:yes]'],
  // if / else if / else
  ['if true', '{{if .Flag}}yes{{end}}', alert, 'yes'],
  ['if empty string', '{{if .Empty}}yes{{else}}no{{end}}', alert, 'no'],
  ['if zero', '{{if .Zero}}yes{{else}}no{{end}}', alert, 'no'],
  ['if empty slice', '{{if .NoTags}}yes{{else}}no{{end}}', alert, 'no'],
  ['if missing', '{{if .Nope}}yes{{else}}no{{end}}', alert, 'no'],
  ['else if chain', '{{if eq .Level "warning"}}W{{else if eq .Level "critical"}}C{{else}}?{{end}}', alert, 'C'],
  ['else if falls through', '{{if .Zero}}a{{else if .Empty}}b{{else}}c{{end}}', alert, 'c'],
  // with
  ['with sets dot', '{{with .Meta}}{{.region}}{{end}}', alert, 'eu'],
  ['with else', '{{with .Empty}}x{{else}}empty{{end}}', alert, 'empty'],
  ['with variable', '{{with $m := .Meta}}{{$m.rack}}{{end}}', alert, '7'],
  ['else with', '{{with .Empty}}a{{else with .Level}}{{.}}{{end}}', alert, 'critical'],
  // range
  ['range slice', '{{range .Tags}}[{{.}}]{{end}}', alert, '[a][b][c]'],
  ['range index and element', '{{range $i, $t := .Tags}}{{$i}}={{$t}} {{end}}', alert, '0=a 1=b 2=c '],
  ['range one variable is element', '{{range $t := .Tags}}{{$t}}{{end}}', alert, 'abc'],
  ['range else', '{{range .NoTags}}x{{else}}none{{end}}', alert, 'none'],
  ['range map sorted keys', '{{range $k, $v := .Meta}}{{$k}} {{end}}', alert, 'nested rack region '],
  ['range $ root', '{{range .Tags}}{{$.Node}}{{end}}', alert, 'node1node1node1'],
  ['range break', '{{range .Tags}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', alert, 'a'],
  ['range continue', '{{range .Tags}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', alert, 'ac'],
  ['range int', '{{range 3}}{{.}}{{end}}', alert, '012'],
  ['range missing is empty', '{{range .Nope}}x{{else}}e{{end}}', alert, 'e'],
  // variables
  ['variable', '{{$x := .Count}}{{$x}}', alert, '3'],
  ['variable assignment', '{{$x := 1}}{{if .Flag}}{{$x = 2}}{{end}}{{$x}}', alert, '2'],
  [
    'variable scope ends at end',
    '{{$x := "outer"}}{{with .Meta}}{{$x := "inner"}}{{$x}}{{end}} {{$x}}',
    alert,
    'inner outer',
  ],
  ['$ is the root', '{{with .Meta}}{{$.Level}}{{end}}', alert, 'critical'],
  // pipelines
  ['pipeline', '{{.Level | upper}}', alert, 'CRITICAL'],
  ['pipeline final arg', '{{.Value | printf "%.1f%%"}}', alert, '95.5%'],
  ['pipeline chain', '{{.Level | title | printf "[%s]"}}', alert, '[Critical]'],
  ['parenthesised', '{{printf "%s/%s" (upper .Node) .Type}}', alert, 'NODE1/cpu'],
  ['paren field chain', '{{(index .Meta "nested").deep}}', alert, 'yes'],
  // trim markers and comments
  ['trim left', 'a  {{- .Count}}', alert, 'a3'],
  ['trim right', '{{.Count -}}  \n b', alert, '3b'],
  ['trim both', 'x\n  {{- .Count -}}\n  y', alert, 'x3y'],
  ['negative number is not trim', '{{print -3}}', alert, '-3'],
  ['comment', 'a{{/* note */}}b', alert, 'ab'],
  ['comment with trims', 'a \n{{- /* note */ -}}\n b', alert, 'ab'],
  // comparisons and logic
  ['eq multiple args', '{{eq .Type "memory" "cpu" "disk"}}', alert, 'true'],
  ['ne', '{{ne .Level "warning"}}', alert, 'true'],
  ['lt ints', '{{lt .Count 5}}', alert, 'true'],
  ['ge float vs int (lenient: Go refuses to compare float64 with int)', '{{ge .Value 95}}', alert, 'true'],
  ['gt float literal', '{{gt .Value 95.5}}', alert, 'false'],
  ['le strings', '{{le "abc" "abd"}}', alert, 'true'],
  [
    'eq incompatible errors',
    '{{eq .Level 1}}',
    alert,
    { error: /error calling eq: incompatible types for comparison/ },
  ],
  ['eq missing is false', '{{eq .Nope "x"}}', alert, 'false'],
  ['and returns falsy operand', '{{and .Count .Empty .Level}}', alert, ''],
  ['and returns last operand', '{{and .Count .Level}}', alert, 'critical'],
  ['or returns first truthy', '{{or .Empty .Zero .Node}}', alert, 'node1'],
  ['or short-circuits', '{{or .Level (index .Tags 99)}}', alert, 'critical'],
  ['not', '{{not .Empty}}', alert, 'true'],
  // len / index
  ['len slice', '{{len .Tags}}', alert, '3'],
  ['len string counts bytes', '{{len "héllo"}}', alert, '6'],
  ['len map', '{{len .Meta}}', alert, '3'],
  ['index slice', '{{index .Tags 1}}', alert, 'b'],
  ['index map', '{{index .Meta "region"}}', alert, 'eu'],
  ['index missing map key', '{{index .Meta "nope"}}', alert, '<no value>'],
  ['index nested', '{{index .Meta "nested" "deep"}}', alert, 'yes'],
  ['index out of range', '{{index .Tags 5}}', alert, { error: /error calling index: index out of range: 5/ }],
  // print / printf
  ['print spacing', '{{print "a" 1 2 "b" 3}}', alert, 'a1 2b3'],
  ['print missing', '{{print .Nope}}', alert, '<nil>'],
  ['println', '{{println 1 "x"}}', alert, '1 x\n'],
  ['printf %s %d', '{{printf "%s has %d" .Node .Count}}', alert, 'node1 has 3'],
  ['printf %v float', '{{printf "%v" .Value}}', alert, '95.5'],
  ['printf %v big float', '{{printf "%v" 1234567.5}}', alert, '1.2345675e+06'],
  ['printf %f default precision', '{{printf "%f" .Value}}', alert, '95.500000'],
  ['printf %.1f integral', '{{printf "%.1f" .Threshold}}', alert, '80.0'],
  ['printf %.0f half even', '{{printf "%.0f %.0f %.0f" 0.5 1.5 2.5}}', alert, '0 2 2'],
  ['printf %.2f exact rounding', '{{printf "%.2f" 1.005}}', alert, '1.00'],
  ['printf %.2f 0.125 ties to even', '{{printf "%.2f" 0.125}}', alert, '0.12'],
  ['printf %e', '{{printf "%e" 123456.0}}', alert, '1.234560e+05'],
  ['printf %g', '{{printf "%g %g" 0.0001 100000.0}}', alert, '0.0001 100000'],
  ['printf %.3g', '{{printf "%.3g" 3.14159}}', alert, '3.14'],
  ['printf widths', '{{printf "[%5d|%-5s|%05.1f]" 42 "ab" 3.14159}}', alert, '[   42|ab   |003.1]'],
  ['printf %+d', '{{printf "%+d" 5}}', alert, '+5'],
  ['printf %q', '{{printf "%q" .Quote}}', alert, '"say \\"hi\\"\\n\\\\"'],
  ['printf %x %X', '{{printf "%x %X %x" 255 255 "hi"}}', alert, 'ff FF 6869'],
  ['printf %t', '{{printf "%t" .Flag}}', alert, 'true'],
  ['printf %%', '{{printf "100%%"}}', alert, '100%'],
  ['printf bad verb', '{{printf "%d" .Level}}', alert, '%!d(string=critical)'],
  ['printf missing arg', '{{printf "%s %s" "a"}}', alert, 'a %!s(MISSING)'],
  ['printf extra arg', '{{printf "%s" "a" 2}}', alert, 'a%!(EXTRA int=2)'],
  ['printf %.1f on int (lenient: Go prints %!f(int=3))', '{{printf "%.1f" .Count}}', alert, '3.0'],
  ['printf %s on slice', '{{printf "%s" .Tags}}', alert, '[a b c]'],
  ['printf %v nil', '{{printf "%v" .Nope}}', alert, '<nil>'],
  ['printf %6.2f%%', '{{printf "%6.2f%%" 5.0}}', alert, '  5.00%'],
  ['printf zero pad negative float', '{{printf "%08.3f" -3.14159}}', alert, '-003.142'],
  ['printf hex negative', '{{printf "%x" -255}}', alert, '-ff'],
  ['printf left-aligned int', '{{printf "%-6d|" 42}}', alert, '42    |'],
  ['printf %c %U', '{{printf "%c %U" 65 9731}}', alert, 'A U+2603'],
  ['printf %o %b', '{{printf "%o %b" 8 5}}', alert, '10 101'],
  ['printf %q on int', '{{printf "%q" 97}}', alert, "'a'"],
  ['printf %.2e', '{{printf "%.2e" 0.000123456}}', alert, '1.23e-04'],
  ['printf %g big', '{{printf "%g" 123456789.0}}', alert, '1.23456789e+08'],
  ['print float literal 1e6', '{{print 1e6}}', alert, '1e+06'],
  ['printf %d on float', '{{printf "%d" .Value}}', alert, '%!d(float64=95.5)'],
  ['printf huge width', '{{printf "%99999999d" 1}}', alert, '%!(BADWIDTH)1'],
  ['printf %s precision', '{{printf "%.3s" "abcdef"}}', alert, 'abc'],
  ['printf %5.1f%%', '{{printf "%5.1f%%" .Value}}', alert, ' 95.5%'],
  ['print nil', '{{print nil}}', alert, '<nil>'],
  [
    'nested range with $',
    '{{range $i, $t := .Tags}}{{range $.Tags}}{{if eq . $t}}{{$i}}{{end}}{{end}}{{end}}',
    alert,
    '012',
  ],
  ['variable in range body resets per iteration', '{{range .Tags}}{{$x := .}}{{$x}}{{end}}', alert, 'abc'],
  ['if with declaration visible in else', '{{if $x := .Empty}}y{{else}}[{{$x}}]{{end}}', alert, '[]'],
  ['html escaping', '{{html "<a href=\'x\'>&</a>"}}', alert, '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;'],
  ['len of missing errors', '{{len .Nope}}', alert, { error: /error calling len/ }],
  ['comment must close the action', '{{/* c */ .Level}}', alert, { error: /comment ends before closing delimiter/ }],
  ['trunc (Sprig)', '{{trunc 3 "héllo"}}|{{"abcdef" | trunc -2}}|{{trunc 10 "ab"}}', alert, 'hél|ef|ab'],
  ['mdEscape', '{{mdEscape "web_01 *x* [y]"}}', alert, 'web\\_01 \\*x\\* \\[y]'],
  // Pulse's functions
  ['title', '{{title "hello wide world"}}', alert, 'Hello Wide World'],
  ['title keeps case', '{{title "cpu USAGE"}}', alert, 'Cpu USAGE'],
  ['upper / lower', '{{upper "a"}}{{lower "B"}}', alert, 'Ab'],
  ['jsonString', '{"m":"{{jsonString .Quote}}"}', alert, '{"m":"say \\"hi\\"\\n\\\\"}'],
  ['urlquery', '{{urlquery "a b&c=d/é"}}', alert, 'a+b%26c%3Dd%2F%C3%A9'],
  ['urlencode', '{{.ResourceName | urlencode}}', { ResourceName: 'web 01?' }, 'web+01%3F'],
  ['urlpath', '{{urlpath "a b/c:d"}}', alert, 'a%20b%2Fc:d'],
  ['pathescape', '{{pathescape "x?y"}}', alert, 'x%3Fy'],
  // literals
  ['string escapes', '{{"tab\\there"}}', alert, 'tab\there'],
  ['raw string', '{{`raw\\n`}}', alert, 'raw\\n'],
  ['char constant prints as int', "{{print 'a'}}", alert, '97'],
  ['hex literal', '{{print 0x1F}}', alert, '31'],
  ['bool literal', '{{if true}}t{{end}}', alert, 't'],
  // errors at parse time, with positions
  ['unclosed action', 'ab {{.Level', alert, { error: /template: t:1:4: unclosed action/ }],
  ['missing end', '{{if .Flag}}x', alert, { error: /unexpected EOF/ }],
  ['unknown function', '{{nope .Level}}', alert, { error: /template: t:1:3: function "nope" not defined/ }],
  ['undefined variable', '{{$x}}', alert, { error: /undefined variable "\$x"/ }],
  ['stray end', 'x{{end}}', alert, { error: /unexpected \{\{end\}\}/ }],
  ['line and column', 'line1\nline2 {{.A | }}', alert, { error: /template: t:2:/ }],
  ['break outside range', '{{break}}', alert, { error: /\{\{break\}\} outside \{\{range\}\}/ }],
  ['non executable pipeline stage', '{{.Level | "x"}}', alert, { error: /non executable command in pipeline stage 2/ }],
  ['wrong arg count', '{{upper}}', alert, { error: /wrong number of args for upper/ }],
  ['field with arguments', '{{.Level 1}}', alert, { error: /Level is not a method but has arguments/ }],
  ['range over string errors', '{{range .Level}}x{{end}}', alert, { error: /range can't iterate over critical/ }],
];

describe('Go text/template subset — golden table', () => {
  it('has at least 60 cases', () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
  });

  for (const [name, template, data, expected] of rows) {
    it(name, () => {
      if (typeof expected === 'string') {
        expect(renderTemplate(template, data, 't')).toBe(expected);
      } else {
        let err: unknown;
        try {
          renderTemplate(template, data, 't');
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(TemplateError);
        expect((err as Error).message).toMatch(expected.error);
      }
    });
  }

  it('bounds hostile templates instead of hanging or overflowing the stack', () => {
    expect(() => renderTemplate('{{range 1000}}{{range 1000}}{{range 1000}}{{end}}{{end}}{{end}}', {})).toThrow(
      /runs too long/,
    );
    expect(() => renderTemplate(`{{${'('.repeat(5000)}1${')'.repeat(5000)}}}`, {})).toThrow(/nesting deeper/);
    expect(() => renderTemplate(`${'{{if true}}'.repeat(500)}x${'{{end}}'.repeat(500)}`, {})).toThrow(/nesting deeper/);
    expect(() => renderTemplate('{{range 10}}{{printf "%1000000s" "x"}}{{end}}', {})).toThrow(/output exceeds/);
  });

  it('parse errors carry line and column', () => {
    try {
      renderTemplate('ok\n  {{if .A}}\n{{.B | nosuch}}{{end}}', {}, 'w');
      expect.unreachable();
    } catch (e) {
      const err = e as TemplateError;
      expect(err.line).toBe(3);
      expect(err.col).toBe(8);
    }
  });
});
