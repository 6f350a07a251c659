// The "Model" view: what /api/info says about the service and the deployed model (training date, parameters, metrics
// beside the baselines), the training curve and metrics charts, and the last lines of the service log.

import { type Evaluation, type ModelSummary, type ServiceInfo, LOG_DOWNLOAD_URL, logLines, serviceInfo } from './api';
import { groupedBarChart, lineChart } from './charts';
import { type Child, byId, formatDateTime, formatDuration, formatNumber, h, replaceChildren } from './dom';

export interface ModelViewOptions {
  onError: (error: unknown) => void;
}

export function createModelView(options: ModelViewOptions): { load(): Promise<void> } {
  const serviceBox = byId('service-info');
  const modelBox = byId('model-info');
  const metricsBox = byId('model-metrics');
  const curveBox = byId('training-curve');
  const logBox = byId<HTMLPreElement>('log-lines');
  const logCount = byId<HTMLSelectElement>('log-count');
  const logStatus = byId('log-status');
  byId<HTMLAnchorElement>('log-download').href = LOG_DOWNLOAD_URL;

  async function loadInfo(): Promise<void> {
    try {
      const info = await serviceInfo();
      renderService(info);
      renderModel(info.model);
    } catch (error) {
      replaceChildren(serviceBox, h('p', { class: 'muted' }, 'Service information could not be loaded.'));
      options.onError(error);
    }
  }

  async function loadLog(): Promise<void> {
    logStatus.textContent = 'Loading…';
    try {
      const lines = await logLines(Number(logCount.value));
      logBox.textContent = lines.join('\n');
      logStatus.textContent = lines.length ? `${lines.length} lines, newest last.` : 'The log is empty.';
      logBox.scrollTop = logBox.scrollHeight;
    } catch (error) {
      logStatus.textContent = 'The log could not be loaded.';
      options.onError(error);
    }
  }

  function renderService(info: ServiceInfo): void {
    replaceChildren(
      serviceBox,
      facts([
        ['Author', info.authorName || '–'],
        ['Contact', contact(info.authorContact)],
        ['Version', info.version || '–'],
        ['Commit', info.commit ? h('code', {}, info.commit.slice(0, 12)) : '–'],
        ['Image built', info.imageBuiltAt ? formatDateTime(info.imageBuiltAt) : info.imageNote || 'not running from an image'],
        ['Uptime', info.uptimeSeconds === null ? '–' : formatDuration(info.uptimeSeconds)],
      ]),
    );
  }

  function renderModel(model: ModelSummary | null): void {
    if (!model) {
      const empty = h('p', { class: 'muted' }, 'No model is loaded yet.');
      replaceChildren(modelBox, empty);
      replaceChildren(metricsBox, h('p', { class: 'muted' }, 'No metrics without a model.'));
      replaceChildren(curveBox, h('p', { class: 'muted' }, 'No training curve without a model.'));
      return;
    }
    const params = Object.entries(model.params).map(([key, value]): [string, Child] => [key, String(value)]);
    replaceChildren(
      modelBox,
      facts([
        ['Version', model.version ? h('code', {}, model.version) : '–'],
        ['Trained', formatDateTime(model.trainedAt)],
        ['Training time', model.trainingSeconds === undefined ? '–' : formatDuration(model.trainingSeconds)],
        ['Data set', model.datasetPath ? h('code', {}, model.datasetPath) : '–'],
        ['Ratings', model.datasetRatings?.toLocaleString() ?? '–'],
        ['Users × movies', `${model.counts.users?.toLocaleString() ?? '?'} × ${model.counts.movies?.toLocaleString() ?? '?'}`],
        ['Rating scale', `${model.scale.min} to ${model.scale.max} in steps of ${model.scale.step}`],
      ]),
      h('h3', {}, 'Parameters'),
      facts(params.length ? params : [['–', 'none recorded']]),
    );

    if (model.history.length) {
      replaceChildren(
        curveBox,
        lineChart(
          model.history.map((s) => ({ x: s.iteration, y: s.trainRmse })),
          { title: 'Training RMSE per ALS iteration', x: 'iteration', y: 'train RMSE' },
          chartWidth(curveBox),
        ),
      );
    } else {
      replaceChildren(curveBox, h('p', { class: 'muted' }, 'The service reports no training history for this model.'));
    }
    renderMetrics(model.evaluation);
  }

  function renderMetrics(evaluation: Evaluation | null): void {
    if (!evaluation) {
      replaceChildren(
        metricsBox,
        h('p', { class: 'muted' }, 'Not evaluated yet: run ', h('code', {}, 'npx movierec evaluate <test ratings>'), '.'),
      );
      return;
    }
    const series = ['model', 'bias only', 'popularity'];
    const rating = [evaluation.model.rating, evaluation.biasOnly.rating, undefined];
    const ranking = [evaluation.model.ranking, evaluation.biasOnly.ranking, evaluation.popularity.ranking];
    const k = ranking.find((r) => r)?.k ?? 10;
    const rows: { label: string; values: number[]; better: 'lower' | 'higher' }[] = [
      { label: 'RMSE', values: rating.map((r) => r?.rmse ?? Number.NaN), better: 'lower' },
      { label: 'MAE', values: rating.map((r) => r?.mae ?? Number.NaN), better: 'lower' },
      { label: `Precision@${k}`, values: ranking.map((r) => r?.precision ?? Number.NaN), better: 'higher' },
      { label: `Recall@${k}`, values: ranking.map((r) => r?.recall ?? Number.NaN), better: 'higher' },
      { label: `NDCG@${k}`, values: ranking.map((r) => r?.ndcg ?? Number.NaN), better: 'higher' },
      { label: `MAP@${k}`, values: ranking.map((r) => r?.map ?? Number.NaN), better: 'higher' },
      { label: 'Coverage', values: ranking.map((r) => r?.coverage ?? Number.NaN), better: 'higher' },
    ];
    const cell = (v: number): string => (Number.isFinite(v) ? formatNumber(v, 4) : '–');
    const table = h(
      'table',
      { class: 'metrics-table' },
      h('caption', {}, `Evaluated ${formatDateTime(evaluation.evaluatedAt)}${evaluation.datasetPath ? ` on ${evaluation.datasetPath}` : ''}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'metric'), ...series.map((s) => h('th', { scope: 'col' }, s)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            {},
            h(
              'th',
              { scope: 'row' },
              row.label,
              h('span', { class: 'muted', 'aria-hidden': 'true' }, row.better === 'lower' ? ' ↓' : ' ↑'),
              h('span', { class: 'visually-hidden' }, ` (${row.better} is better)`),
            ),
            ...row.values.map((v) => h('td', {}, cell(v))),
          ),
        ),
      ),
    );
    replaceChildren(
      metricsBox,
      table,
      h('p', { class: 'muted small' }, '↓ lower is better · ↑ higher is better. Bias only: global mean plus user and movie biases; popularity: the most rated movies for everyone.'),
      groupedBarChart(
        rows.slice(0, 2).map((r) => ({ label: `${r.label} ↓`, values: r.values })),
        series,
        'Rating error of the model and its baselines (lower is better)',
        chartWidth(metricsBox),
      ),
      groupedBarChart(
        rows.slice(2).map((r) => ({ label: `${r.label} ↑`, values: r.values })),
        series,
        `Ranking quality at ${k} of the model and its baselines (higher is better)`,
        chartWidth(metricsBox),
      ),
    );
  }

  byId('log-refresh').addEventListener('click', () => void loadLog());
  logCount.addEventListener('change', () => void loadLog());
  byId('model-refresh').addEventListener('click', () => void Promise.all([loadInfo(), loadLog()]));

  return {
    load: async () => {
      await Promise.all([loadInfo(), loadLog()]);
    },
  };
}

/** The box's width (charts drawn 1:1 keep readable text), or a default while the view is hidden. */
function chartWidth(box: HTMLElement): number {
  const width = box.clientWidth;
  return width > 0 ? Math.round(Math.max(300, Math.min(560, width))) : 480;
}

function facts(entries: [string, Child][]): HTMLElement {
  const list = h('dl', { class: 'facts' });
  for (const [term, value] of entries) list.append(h('dt', {}, term), h('dd', {}, value));
  return list;
}

function contact(value: string): Child {
  if (!value) return '–';
  if (/^[^@\s]+@[^@\s]+$/.test(value)) return h('a', { href: `mailto:${value}` }, value);
  if (/^https?:\/\//.test(value)) return h('a', { href: value, rel: 'noopener' }, value);
  return value;
}
