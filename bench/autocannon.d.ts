// autocannon ships no types; this declares the part of its API the benchmarks use.
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    amount?: number;
    headers?: Record<string, string>;
    timeout?: number;
  }
  interface Histogram {
    average: number;
    total: number;
  }
  interface Result {
    requests: Histogram;
    /** Response bytes (headers and bodies). */
    throughput: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets?: number;
    '2xx': number;
    '4xx': number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
