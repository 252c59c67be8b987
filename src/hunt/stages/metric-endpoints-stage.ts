// The first stage of a performance hunt (`--metric`): both endpoints sampled until bad is shown worse than good,
// which is the hunt's premise; their two distributions are what every later probe is compared with.
import type { HuntContext } from '../hunt-context.js';
import { MetricSampler } from '../metric-sampler.js';
import type { RangeHandoff, Stage, StageOutput } from '../stage.js';

export const metricEndpointsStage: Stage<'range'> = {
  name: 'endpoints',
  accepts: 'range',
  async run(context: HuntContext, input: RangeHandoff): Promise<StageOutput> {
    const spec = context.args.metric;
    if (!spec) throw new Error('internal: the metric endpoints without --metric');
    const good = input.goods[0];
    if (good === undefined || input.goods.length > 1) throw new Error('internal: a metric hunt takes one good');
    const model = await new MetricSampler(context, spec).learnEndpoints(good, input.bad);
    const { good: g, bad: b, relativeShift, pValue } = model.regression;
    const shown = (value: number): string => (Number.isInteger(value) ? String(value) : value.toPrecision(4));
    context.note(`the metric at bad is ${(Math.abs(relativeShift) * 100).toFixed(1)}% ${relativeShift >= 0 ? 'higher' : 'lower'} than at good (median ${shown(b.median)} against ${shown(g.median)}, n ${b.n} and ${g.n}, p = ${pValue.toPrecision(2)})`);
    context.observer.searching?.();
    return { result: { stage: 'endpoints', goods: [...input.goods], bad: input.bad, checked: true, overlapped: false }, next: { ...input, metric: model } };
  },
};
