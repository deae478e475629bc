// The scorer's publishers over a fake kafkajs producer: publishesSettled(producer)
// waits for what this scorer's producer has in flight, and only for that (the
// demo runs ingest in the same process with a producer of its own).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer } from '../../../common/kafka/types.ts';
import { createAlertPublisher, publishesSettled, stopPublishing } from '../../../scorer/publisher.ts';
import { initialSensorState } from '../../../common/decision/decide.ts';

/** A producer whose requests stay in flight until the test releases them. */
function fakeProducer(): { producer: Producer; release: (() => void)[] } {
  const release: (() => void)[] = [];
  const sendBatch = (): Promise<[]> => new Promise((resolve) => release.push(() => resolve([])));
  return { producer: { sendBatch } as unknown as Producer, release };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('scorer publisher', () => {
  it("publishesSettled waits for this producer's publishes in flight and not for another producer's", async () => {
    const mine = fakeProducer();
    const other = fakeProducer();
    const topics = { alertsTopic: 'alerts', stateTopic: 'states' };
    const a = createAlertPublisher({ producer: mine.producer, ...topics }).publish([], [initialSensorState('s1')]);
    const b = createAlertPublisher({ producer: other.producer, ...topics }).publish([], [initialSensorState('s2')]);
    let done = false;
    void publishesSettled(mine.producer).then(() => (done = true));
    await tick();
    assert.equal(done, false, 'its own states are still in flight');
    assert.equal(mine.release.length, 1);
    mine.release[0]?.();
    await a;
    for (let i = 0; i < 50 && !done; i++) await tick();
    assert.equal(done, true, "the other producer's publish in flight does not hold it");
    other.release[0]?.();
    await b;
    stopPublishing(mine.producer, 'test');
    stopPublishing(other.producer, 'test');
  });

  it('publishesSettled resolves at once for a producer nothing was published through', async () => {
    await publishesSettled(fakeProducer().producer);
  });
});
