// The preflight report: what would go wrong, with counts and example recipients (name, number and the
// offending value, as text); the cost category; the messaging tier and its daily cap; a few messages as
// the recipients will get them (plain text, never HTML).
import type { PreflightProblem, PreflightReport } from '../../../src-preload/campaigns.contract';

/** Who a problem concerns: up to five recipients, each with the value that is wrong for them. */
function ProblemExamples({ problem }: { problem: PreflightProblem }) {
  const more = problem.count - problem.recipients.length;
  return (
    <table className="problem-examples" aria-label={`Examples: ${problem.message}`}>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Number</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {problem.recipients.map((r, i) => (
          <tr key={`${r.phone}-${i}`}>
            <td>{r.name ?? <span className="muted">no name</span>}</td>
            <td>{r.phone}</td>
            <td>{r.value}</td>
          </tr>
        ))}
      </tbody>
      {more > 0 && problem.severity === 'warning' ? (
        <tfoot>
          <tr>
            <td colSpan={3} className="muted">
              and {more.toLocaleString()} more
            </td>
          </tr>
        </tfoot>
      ) : null}
    </table>
  );
}

export function PreflightPanel({ report }: { report: PreflightReport }) {
  return (
    <section className="preflight" aria-labelledby="preflight-title">
      <h2 id="preflight-title">Preflight</h2>
      <dl className="preflight-facts">
        <dt>Recipients</dt>
        <dd data-testid="preflight-recipients">{report.recipients.toLocaleString()}</dd>
        <dt>Left out</dt>
        <dd>
          {report.exclusions.optedOut} opted out, {report.exclusions.invalid} invalid,{' '}
          {report.exclusions.duplicate} duplicate
        </dd>
        <dt>Template</dt>
        <dd>{report.templateStatus ?? 'not found'}</dd>
        <dt>Cost category</dt>
        <dd>{report.costCategory?.toLowerCase() ?? '—'}</dd>
        <dt>Messaging tier</dt>
        <dd>
          {report.messagingTier ?? 'unknown'}
          {report.tierDailyCap !== null
            ? ` (${report.tierDailyCap.toLocaleString()} customers per 24 h)`
            : ''}
        </dd>
      </dl>
      {report.syncNote ? <p className="banner">{report.syncNote}</p> : null}
      {report.tierWarning ? (
        <p className="banner warning" role="status">
          {report.tierWarning}
        </p>
      ) : null}
      {report.problems.length === 0 ? (
        <p role="status">No problems found.</p>
      ) : (
        <ul className="preflight-problems" aria-label="Problems">
          {report.problems.map((p) => (
            <li key={p.code} className={`problem ${p.severity}`} data-testid={`problem-${p.code}`}>
              <strong>{p.severity === 'error' ? 'Blocks sending: ' : 'Note: '}</strong>
              {p.message}
              {p.recipients.length > 0 ? (
                <ProblemExamples problem={p} />
              ) : p.examples.length > 0 ? (
                <span className="muted"> e.g. {p.examples.join('; ')}</span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {report.samples.length > 0 ? (
        <div className="preflight-samples" aria-label="Sample messages">
          {report.samples.map((s) => (
            <p key={s.phone} className="sample-bubble">
              <span className="muted">{s.phone}</span>
              <br />
              {s.body}
            </p>
          ))}
        </div>
      ) : null}
    </section>
  );
}
