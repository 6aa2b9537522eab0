// Lets the event loop run (signals, timers, a page's rendering) between minibatches. CPU
// engines resolve every read at once, so without this nothing else would run until training
// ends. setImmediate in Node; a MessageChannel message where there is none (browsers and
// workers), since setTimeout(0) is clamped to 4 ms there; setTimeout as the last resort.

export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return new Promise((resolve) => setImmediate(resolve));
  }
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      // A channel per call, closed once used: an open port would keep Node from exiting.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
