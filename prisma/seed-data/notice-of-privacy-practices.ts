/**
 * The Notice of Privacy Practices a standard practice starts with: a plain-
 * language summary of what HIPAA's privacy rule (45 CFR 164.520) requires a
 * notice to say. The client acknowledges receiving it, so the form shows it in
 * full above the checkbox. A practice with its own notice publishes it as a
 * new version of the form.
 *
 * Lines starting with "## " are headings (domain/consent-text.ts); blank
 * lines separate paragraphs.
 */
export function noticeOfPrivacyPractices(practiceName: string): string {
  return `THIS NOTICE DESCRIBES HOW HEALTH INFORMATION ABOUT YOU MAY BE USED AND DISCLOSED AND HOW YOU CAN GET ACCESS TO THIS INFORMATION. PLEASE REVIEW IT CAREFULLY.

${practiceName} ("we") is required by law to keep your health information private, to give you this notice of our legal duties and privacy practices, to follow the notice currently in effect, and to tell you if a breach puts your information at risk.

## How we may use and share your information without asking you

Treatment: to provide and coordinate your care, for example with your doctor or another clinician treating you.

Payment: to bill and get paid by you, your health plan or others, for example by sending your insurer the dates and kinds of services you received.

Health care operations: to run our practice and improve your care, for example to check the quality of our services or train our staff.

We also share information when the law requires or allows it: to prevent a serious and imminent threat to your health or safety or someone else's; to report suspected abuse or neglect of a child, an elder or a dependent adult; in response to a court order or other lawful process; for public health and health oversight activities; to coroners and funeral directors; for workers' compensation claims; and for specialised government functions. Some laws give extra protection to certain information, such as psychotherapy notes, substance use treatment records and HIV test results; we follow them.

## Uses that need your written permission

We will not use or share your psychotherapy notes, sell your information, or use it for marketing without your written authorisation. You may withdraw an authorisation in writing at any time, except where we have already acted on it.

## Your rights

You may ask to see or get an electronic or paper copy of your health information. We may charge a reasonable, cost-based fee.

You may ask us to correct information you believe is incorrect or incomplete. We may say no, and will tell you why in writing.

You may ask us to contact you in a particular way (for example, by a different phone number) or at a different address. We will say yes to all reasonable requests.

You may ask us not to use or share certain information. We are not required to agree, except that if you pay for a service in full out of pocket, you may ask us not to share it with your health plan, and we will agree unless the law requires us to share it.

You may ask for a list of the times we have shared your information in the six years before the date you ask, who we shared it with and why, other than for treatment, payment, operations and some other disclosures.

You may ask for a paper copy of this notice at any time, even if you agreed to receive it electronically.

If someone has your medical power of attorney or is your legal guardian, they may exercise your rights and make choices about your health information.

## Changes to this notice

We may change this notice, and the changes will apply to all information we have about you. The new notice will be available on request, in our office and on the client portal.

## Questions and complaints

If you have a question about this notice, or you believe your privacy rights have been violated, please contact ${practiceName}. You may also file a complaint with the U.S. Department of Health and Human Services Office for Civil Rights (www.hhs.gov/ocr/privacy/hipaa/complaints/, 1-877-696-6775). We will not retaliate against you for filing a complaint.`;
}
