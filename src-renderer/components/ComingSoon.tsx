export function ComingSoon({ title, children }: { title: string; children: string }) {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">{title}</h1>
      <p className="muted">{children}</p>
    </section>
  );
}
