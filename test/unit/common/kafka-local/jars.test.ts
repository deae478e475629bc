import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { javaCommand, kafkaClasspath, kafkaLibDir, kafkaVersion, kafkaVersionOf, pomPath } from '../../../../common/kafka-local/jars.ts';

describe('kafka jars', () => {
  const cases: { name: string; pom: string; expect: string | RegExp }[] = [
    { name: 'reads the property', pom: '<properties><kafka.version>4.3.1</kafka.version></properties>', expect: '4.3.1' },
    { name: 'tolerates whitespace', pom: '<kafka.version>\n  3.9.1\n</kafka.version>', expect: '3.9.1' },
    { name: 'missing property', pom: '<properties></properties>', expect: /no <kafka\.version>/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (typeof c.expect === 'string') assert.equal(kafkaVersionOf(c.pom), c.expect);
      else assert.throws(() => kafkaVersionOf(c.pom), c.expect);
    });
  }

  it('the pom in deploy/kafka names the version and the cache path follows it', () => {
    const version = kafkaVersionOf(readFileSync(pomPath, 'utf8'));
    assert.equal(kafkaVersion(), version);
    assert.match(kafkaLibDir(), new RegExp(`\\.cache/kafka/${version.replaceAll('.', '\\.')}/lib$`));
    assert.match(kafkaClasspath('/x/lib'), /^\/x\/lib\/\*$/);
  });

  const javas: { env: NodeJS.ProcessEnv; expect: string }[] = [
    { env: {}, expect: 'java' },
    { env: { JAVA_HOME: '/opt/jdk' }, expect: '/opt/jdk/bin/java' },
  ];
  for (const j of javas) it(`java command with ${JSON.stringify(j.env)}`, () => assert.equal(javaCommand(j.env), j.expect));
});
