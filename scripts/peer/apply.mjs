// The Playwright peer of `autoapply replay` for scripts/bench.sh --peers: one Easy
// Apply of the replica's multi-step job (contact, résumé, questions, review, submit)
// the way a competent Playwright user writes it — locators by role and label,
// Playwright's auto-waiting, no sleeps — in the same system Chromium, headful, with
// a fresh profile. Usage: node apply.mjs '<json>' where the JSON holds chromium,
// origin, jobUrl, liAt and resume, and optionally lib: the Playwright build to drive
// with (`playwright-core`, the default, or Patchright's `patchright-core`, its
// undetected fork with the same API). Exit 0 once LinkedIn's confirmation shows.
const cfg = JSON.parse(process.argv[2]);
const { chromium } = await import(cfg.lib || 'playwright-core');
const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: false,
  args: ['--no-sandbox'],
});
try {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'li_at', value: cfg.liAt, url: cfg.origin }]);
  const page = await context.newPage();
  await page.goto(cfg.jobUrl);
  await page.getByRole('button', { name: /^Easy Apply to / }).click();
  const form = page.getByRole('dialog');

  // contact
  await form.getByLabel('First name').fill('Ada');
  await form.getByLabel('Last name').fill('Lovelace');
  await form.getByLabel('Phone country code').selectOption('United Kingdom (+44)');
  await form.getByLabel('Mobile phone number').fill('5550100');
  await form.getByLabel('Email address').selectOption('ada@example.org');
  await form.getByRole('button', { name: 'Continue to next step' }).click();

  // résumé
  await form.getByLabel('Upload resume').setInputFiles(cfg.resume);
  await form.getByRole('button', { name: 'Continue to next step' }).click();

  // questions
  await form.getByLabel('How many years of experience do you have with Python?').fill('5');
  await form.getByLabel('What is your notice period?').selectOption('30 days');
  await form.getByRole('group', { name: 'Are you legally authorized to work in Germany?' })
    .getByLabel('Yes').check();
  await form.getByRole('group', { name: /require sponsorship/ }).getByLabel('No').check();
  await form.getByLabel('I agree').check();
  await form.getByRole('combobox', { name: 'City' }).pressSequentially('London');
  await form.getByRole('option', { name: /^London, England/ }).click();
  await form.getByRole('button', { name: 'Review your application' }).click();

  // review: do not follow the company, submit, wait for the confirmation
  await form.getByLabel(/^Follow this company/).uncheck();
  await form.getByRole('button', { name: 'Submit application' }).click();
  await page.getByText(/^Your application was sent to /).waitFor();
} finally {
  await browser.close();
}
