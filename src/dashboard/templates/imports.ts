import { html } from 'ghtml'
import type { Appeal, AppealText } from '../../appeals/service.js'
import type { SolidarityEvent } from '../../events/service.js'
import { importFields, type ColumnMapping, type CsvTable, type ImportCheck } from '../../imports/service.js'
import type { AdminView } from '../view.js'
import { appealHeader } from './appeal-nav.js'
import { csrfField, errorSummary, selectField, textareaField } from './forms.js'

/** Rows per page of the preview: every row can be seen, with its problems, a page at a time. */
export const PREVIEW_ROWS = 50

function eventSelect (view: AdminView, events: SolidarityEvent[], chosen: string): string {
  return selectField({
    name: 'eventId',
    label: view.a('import.event'),
    value: chosen,
    help: view.a('import.eventHelp'),
    options: [{ value: '', label: view.a('import.noEvent') }, ...events.map((e) => ({ value: e.id, label: `${e.title} (${view.date(e.startsAt)})` }))]
  })
}

export function uploadPage (view: AdminView, d: { appeal: Appeal, texts: Record<string, AppealText>, events: SolidarityEvent[], message?: string }): string {
  const a = view.a
  return appealHeader(view, d.appeal, d.texts, 'import', a('import.title')) + html`<p>${a('import.intro')}</p>
<ul>!${['name', 'country'].map((f) => html`<li>${a(`fields.${f}`)}</li>`)}</ul>
<p>${view.i18n('fielddata')('import.emailOptional')}</p>
<p>${a('import.optionalColumns')}</p>
<p>${view.i18n('fielddata')('import.formats')} <a href="/admin/appeals/${d.appeal.slug}/sheet">${view.i18n('fielddata')('sheet.link')}</a></p>
!${errorSummary(view, d.message, {})}
<form method="post" action="/admin/appeals/${d.appeal.slug}/import" enctype="multipart/form-data" class="admin-form">
!${csrfField(view)}
<input type="hidden" name="action" value="read">
<div class="field"><label for="field-file">${a('import.file')}</label><p class="help" id="file-help">${a('import.fileHelp')}</p><input id="field-file" name="file" type="file" accept=".csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="file-help"></div>
!${textareaField({ name: 'csv', label: a('import.paste'), rows: 6, help: a('import.pasteHelp') })}
!${eventSelect(view, d.events, '')}
<p><button type="submit" class="button">${a('import.read')}</button></p>
</form>`
}

export interface MappingPageData {
  appeal: Appeal
  texts: Record<string, AppealText>
  events: SolidarityEvent[]
  eventId: string
  csv: string
  table: CsvTable
  mapping: ColumnMapping
  check?: ImportCheck
  message?: string
  /** Which page of the preview (PREVIEW_ROWS each). */
  page?: number
}

/** What a checked row's problems say, field by field, translated. */
export type RowProblems = Map<number, string[]>

export function mappingPage (view: AdminView, d: MappingPageData, problems: RowProblems): string {
  const a = view.a
  const fieldOptions = [{ value: '', label: a('import.ignore') }, ...importFields.map((f) => ({ value: f, label: a(`fields.${f}`) }))]
  const f = view.i18n('fielddata')
  const pages = Math.max(1, Math.ceil(d.table.rows.length / PREVIEW_ROWS))
  const pageNumber = Math.min(d.page ?? 0, pages - 1)
  const preview = d.table.rows.slice(pageNumber * PREVIEW_ROWS, (pageNumber + 1) * PREVIEW_ROWS)
  const checked = new Map((d.check?.rows ?? []).map((r) => [r.line, r]))
  const c = d.check
  return appealHeader(view, d.appeal, d.texts, 'import', a('import.mapTitle')) + html`
!${errorSummary(view, d.message, {})}
<form method="post" action="/admin/appeals/${d.appeal.slug}/import" enctype="multipart/form-data" class="admin-form">
!${csrfField(view)}
<input type="hidden" name="csv" value="${d.csv}">
<fieldset><legend>${a('import.columns')}</legend>
<p class="help">${a('import.columnsHelp')}</p>
<div class="mapping">!${d.table.header.map((title, i) => selectField({ name: `column${i}`, label: a('import.column', { number: i + 1, title: title === '' ? '—' : title }), value: d.mapping[i] ?? '', options: fieldOptions }))}</div>
</fieldset>
!${eventSelect(view, d.events, d.eventId)}
!${c === undefined
? ''
: html`<section aria-labelledby="summary-heading" class="panel" role="status"><h2 id="summary-heading">${a('import.summary')}</h2>
<ul><li>${a('import.validCount', { count: c.valid })}</li><li>${a('import.invalidCount', { count: c.invalid })}</li><li>${a('import.duplicateCount', { count: c.duplicates })}</li>!${c.possibleDuplicates === 0 ? '' : html`<li>${f('import.possibleDuplicateCount', { count: c.possibleDuplicates })}</li>`}</ul>
!${c.invalid === 0 ? '' : html`<p><button type="submit" name="action" value="rejected" class="button secondary">${f('import.downloadRejected', { count: c.invalid })}</button></p><p class="help">${f('import.downloadRejectedHelp')}</p>`}
!${c.invalid === 0 ? '' : html`<ul class="report">!${c.rows.filter((r) => r.input === undefined).slice(0, 200).map((r) => html`<li>${a('import.lineProblems', { line: r.line, problems: (problems.get(r.line) ?? []).join('; ') })}</li>`)}</ul>`}</section>`}
<div class="table-scroll"><table class="admin-table">
<caption>${f('import.pageCaption', { page: pageNumber + 1, pages, from: pageNumber * PREVIEW_ROWS + 1, to: pageNumber * PREVIEW_ROWS + preview.length, total: d.table.rows.length })}</caption>
<thead><tr><th scope="col">${a('import.line')}</th><th scope="col">${a('import.problems')}</th>!${d.table.header.map((title) => html`<th scope="col">${title}</th>`)}</tr></thead>
<tbody>!${preview.map((row) => {
    const result = checked.get(row.line)
    const rowProblems = problems.get(row.line) ?? []
    const flag = result === undefined ? '' : rowProblems.length > 0 ? ' class="row-error"' : result.duplicate !== undefined || result.possibleDuplicate !== undefined ? ' class="row-duplicate"' : ''
    const note = rowProblems.length > 0
      ? rowProblems.join('; ')
      : result?.duplicate !== undefined
        ? a(`import.duplicate.${result.duplicate}`)
        : result?.possibleDuplicate !== undefined
          ? (result.possibleDuplicate === 'appeal' ? f('import.possibleDuplicate.appeal') : f('import.possibleDuplicate.file', { line: result.possibleDuplicate }))
          : result === undefined ? '' : a('import.ok')
    return html`<tr!${flag}><th scope="row">${row.line}</th><td data-label="${a('import.problems')}">${note}</td>!${d.table.header.map((title, i) => html`<td data-label="${title}">${row.cells[i] ?? ''}</td>`)}</tr>`
  })}</tbody></table></div>
!${pages === 1
? ''
: html`<nav class="button-row" aria-label="${f('import.pages')}">!${pageNumber === 0 ? '' : html`<button type="submit" name="page" value="${pageNumber - 1}" class="button secondary">${f('import.previousPage')}</button> `}!${pageNumber >= pages - 1 ? '' : html`<button type="submit" name="page" value="${pageNumber + 1}" class="button secondary">${f('import.nextPage')}</button>`}</nav>`}
<p class="button-row"><button type="submit" name="action" value="check" class="button secondary">${a('import.check')}</button>
!${c === undefined || c.valid === 0 ? '' : html` <button type="submit" name="action" value="import" class="button">${a('import.run', { count: c.valid })}</button>`}</p>
</form>`
}

export function resultPage (
  view: AdminView, d: { appeal: Appeal, texts: Record<string, AppealText>, imported: number, check: ImportCheck }, problems: RowProblems
): string {
  const a = view.a
  const invalid = d.check.rows.filter((r) => (problems.get(r.line) ?? []).length > 0)
  const duplicates = d.check.rows.filter((r) => r.duplicate !== undefined)
  const possible = d.check.rows.filter((r) => r.possibleDuplicate !== undefined)
  return appealHeader(view, d.appeal, d.texts, 'import', a('import.doneTitle')) + html`
<p class="notice" role="status">${a('import.imported', { count: d.imported })}</p>
!${duplicates.length === 0
? ''
: html`<section aria-labelledby="dup-heading"><h2 id="dup-heading">${a('import.skippedHeading', { count: duplicates.length })}</h2>
<ul class="report">!${duplicates.map((r) => html`<li>${a('import.lineDuplicate', { line: r.line, email: r.input?.email ?? '' })}</li>`)}</ul></section>`}
!${possible.length === 0
? ''
: html`<section aria-labelledby="possible-heading"><h2 id="possible-heading">${view.i18n('fielddata')('import.possibleDuplicateCount', { count: possible.length })}</h2>
<ul class="report">!${possible.map((r) => html`<li>${view.i18n('fielddata')('import.possibleDuplicateLine', { line: r.line, name: r.input?.name ?? '' })}</li>`)}</ul></section>`}
!${invalid.length === 0
? ''
: html`<section aria-labelledby="invalid-heading"><h2 id="invalid-heading">${a('import.invalidHeading', { count: invalid.length })}</h2>
<ul class="report">!${invalid.map((r) => html`<li>${a('import.lineProblems', { line: r.line, problems: (problems.get(r.line) ?? []).join('; ') })}</li>`)}</ul></section>`}
<p><a href="/admin/appeals/${d.appeal.slug}/signatures?q=&status=&kind=&country=">${a('import.seeSignatures')}</a> · <a href="/admin/appeals/${d.appeal.slug}/import">${a('import.another')}</a></p>`
}
