import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { brokerToolsMissing, findExecutable, javaCommand, kafkaClasspath, kafkaLibDir, kafkaVersion, kafkaVersionOf, pomPath } from '../../../../common/kafka-local/jars.ts';

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

describe('java and mvn for the local broker', () => {
  // A fake file system: the executables that exist.
  const machine = (...paths: string[]) => (p: string): boolean => paths.includes(p);
  const hint = 'install with: apt-get install openjdk-17-jre-headless maven';

  it('findExecutable walks PATH in order and takes a path as given', () => {
    const env = { PATH: '/a:relative:/b:/c' };
    assert.equal(findExecutable('java', env, machine('/b/java', '/c/java', 'relative/java')), '/b/java');
    assert.equal(findExecutable('java', env, machine()), undefined);
    assert.equal(findExecutable('/opt/jdk/bin/java', {}, machine('/opt/jdk/bin/java')), '/opt/jdk/bin/java');
    assert.equal(findExecutable('java', {}, machine('/usr/bin/java')), undefined);
  });

  const cases: { name: string; env: NodeJS.ProcessEnv; exists: string[]; jarsCached: boolean; expect: string[] | undefined; message?: RegExp }[] = [
    { name: 'both there', env: { PATH: '/usr/bin' }, exists: ['/usr/bin/java', '/usr/bin/mvn'], jarsCached: false, expect: undefined },
    { name: 'jars cached: mvn not needed', env: { PATH: '/usr/bin' }, exists: ['/usr/bin/java'], jarsCached: true, expect: undefined },
    { name: 'no mvn, jars not cached', env: { PATH: '/usr/bin' }, exists: ['/usr/bin/java'], jarsCached: false, expect: ['mvn'], message: /^mvn \(Maven\) not installed: Maven fetches the Kafka jars on first use; / },
    { name: 'no java', env: { PATH: '/usr/bin' }, exists: ['/usr/bin/mvn'], jarsCached: true, expect: ['java'], message: /^java not installed: the local Kafka broker needs Java 17\+; / },
    { name: 'neither', env: { PATH: '/usr/bin' }, exists: [], jarsCached: false, expect: ['java', 'mvn'], message: /^java and mvn \(Maven\) not installed: / },
    { name: 'JAVA_HOME wins over PATH', env: { PATH: '/usr/bin', JAVA_HOME: '/opt/jdk' }, exists: ['/usr/bin/java'], jarsCached: true, expect: ['java'], message: /^java \(\/opt\/jdk\/bin\/java, from JAVA_HOME\) not installed/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = brokerToolsMissing({ jarsCached: c.jarsCached, env: c.env, isExecutable: machine(...c.exists) });
      assert.deepEqual(r?.tools, c.expect);
      if (r !== undefined) {
        assert.match(r.message, c.message ?? /./);
        assert.ok(r.message.endsWith(hint), r.message);
        assert.doesNotMatch(r.message, /\n/);
      }
    });
  }
});
