// Message catalogues of the shell and the shared components, Dutch first (je), English in full.
// t(key, params) fills {name} placeholders; a value {one, other} is chosen by params.n.
// Language: a saved choice, else the browser's (en… → en), else nl. setLang() saves and re-renders:
// elements with data-i18n / data-i18n-attr are filled again and onLangChange() listeners run.

export const LANGS = ['nl', 'en'];
const SAVED = 'hub.lang';

export const catalogues = {
  nl: {
    'app.name': 'SessionHub',
    'common.skip': 'Naar de inhoud',
    'common.loading': 'Even geduld…',
    'common.reload': 'Laad de pagina opnieuw',
    'common.cancel': 'Annuleer',
    'common.optional': '(niet verplicht)',
    'lang.switch': 'English',
    'lang.switchLabel': 'Switch to English',

    'banner.offline': 'Geen verbinding. Wat je nu invult, bewaren we en sturen we zodra je weer verbinding hebt.',
    'banner.reconnecting': 'De verbinding is weg. We verbinden opnieuw…',
    'banner.closed': 'Deze sessie is afgesloten. Je kunt de resultaten nog bekijken.',
    'banner.kicked': 'De facilitator heeft je uit de sessie gehaald.',
    'banner.deleted': 'Deze sessie bestaat niet meer.',
    'banner.error': 'Er ging iets mis. Laad de pagina opnieuw.',
    'banner.info': 'Let op.',

    'status.pending': 'Wordt verstuurd…',
    'status.queued': 'Bewaard. Wordt verstuurd zodra je verbinding hebt.',
    'status.confirmed': 'Bevestigd',
    'status.error': 'Niet gelukt',
    'status.notSent': 'Niet verstuurd: je deelname was verlopen.',

    'timer.label': 'Tijd',
    'timer.done': 'De tijd is om',
    'timer.paused': 'Gepauzeerd',
    'timer.remaining': 'Nog {time}',
    'timer.oneMinute': 'Nog één minuut',
    'progress.label': 'Opkomst',
    'progress.of': '{value} van {max} ({pct}%)',
    'chart.empty': 'Nog geen antwoorden.',
    'chart.mean': 'gemiddeld {mean}',
    'chart.answers': { one: '{n} antwoord', other: '{n} antwoorden' },
    'cloud.label': 'Woorden',
    'cloud.empty': 'Nog geen woorden.',
    'cloud.count': { one: '{n} keer', other: '{n} keer' },
    'qr.alt': 'QR-code om mee te doen: {url}',

    'join.title': 'Doe mee',
    'join.intro': 'Vul de code in die je op het scherm ziet.',
    'join.session': 'Sessie: {title}',
    'join.code': 'Code',
    'join.codeHint': 'Zes tekens, bijvoorbeeld BK7M4Q.',
    'join.name': 'Je naam',
    'join.nameHint': 'Anderen zien je naam alleen als een activiteit daarom vraagt.',
    'join.function': 'Je functie',
    'join.functionNone': 'Kies je functie',
    'join.functionOther': 'Welke functie?',
    'join.org': 'Je organisatie',
    'join.submit': 'Doe mee',
    'join.joining': 'Je doet mee…',
    'function.wijkbeheerder': 'wijkbeheerder',
    'function.woonconsulent': 'woonconsulent',
    'function.huismeester': 'huismeester',
    'function.sociaalDomein': 'sociaal domein',
    'function.anders': 'anders',

    'error.codeMissing': 'Vul de code in. Je ziet hem op het scherm van de facilitator.',
    'error.codeUnknown': 'Deze code kennen we niet. Kijk nog eens op het scherm en probeer het opnieuw.',
    'error.network': 'De hub is niet bereikbaar. Controleer je wifi en probeer het opnieuw.',
    'error.tokenExpired': 'Je vorige deelname is verlopen. Doe opnieuw mee.',
    'error.joinFailed': 'Meedoen lukte niet: {message}',

    'offline.title': 'Geen verbinding met de hub',
    'offline.text': 'De hub is nu niet bereikbaar. Deze pagina komt uit het geheugen van je toestel. Zodra de hub terug is, ga je vanzelf verder.',
    'offline.retry': 'Probeer opnieuw',
    'lobby.title': 'Wacht op de facilitator',
    'lobby.draft': 'De sessie is nog niet begonnen. Je hoeft nu niets te doen.',
    'lobby.between': 'De volgende activiteit begint zo.',
    'lobby.joinedAs': 'Je doet mee als {name}.',
    'lobby.joinedAnonymous': 'Je doet mee zonder naam.',

    'activity.now': 'Nu',
    'activity.group': 'Groep {n}',
    'activity.yourInputs': 'Jouw invoer',
    'activity.inputAt': 'Invoer van {time}',
    'activity.announce': 'Nieuwe activiteit: {title}',
    'activity.noWeb': 'Op je telefoon hoef je hier niets te doen. Kijk naar het scherm en luister naar de facilitator.',
    'activity.loading': 'Activiteit laden…',
    'activity.loadFailed': 'Dit onderdeel kon niet laden',
    'activity.loadFailedText': 'De rest van de sessie werkt gewoon. Laad de pagina opnieuw. Lukt het dan nog niet? Meld het aan de facilitator.',
    'activity.details': 'Technische details',
    'activity.inputsClosed': 'De invoer staat nu dicht. Wacht op de facilitator.',

    'closed.title': 'De sessie is afgesloten',
    'closed.text': 'Bedankt voor je inbreng! Hieronder zie je de laatste resultaten.',
    'closed.textNoResults': 'Bedankt voor je inbreng!',

    'ended.kickedTitle': 'Je bent uit de sessie gehaald',
    'ended.kickedText': 'De facilitator heeft je deelname beëindigd. Is dat een vergissing? Vraag het de facilitator en doe opnieuw mee.',
    'ended.deletedTitle': 'Deze sessie bestaat niet meer',
    'ended.deletedText': 'De facilitator heeft de sessie verwijderd. Je kunt dit venster sluiten.',
    'ended.rejoin': 'Doe opnieuw mee',

    'footer.leave': 'Stop met meedoen',
    'footer.leaveConfirm': 'Wil je stoppen? Op dit apparaat doe je dan niet meer mee als dezelfde deelnemer.',

    'conn.connecting': 'Verbinden…',
    'conn.open': 'Verbonden',
    'conn.reconnecting': 'Opnieuw verbinden…',
    'conn.offline': 'Geen verbinding',
    'conn.ended': 'Niet verbonden',
    'conn.idle': 'Niet verbonden',

    'fac.loginTitle': 'Log in als facilitator',
    'fac.loginIntro': 'Log in om deze sessie te leiden.',
    'fac.email': 'E-mailadres',
    'fac.password': 'Wachtwoord',
    'fac.login': 'Log in',
    'fac.loginFailed': 'E-mailadres of wachtwoord klopt niet. Probeer het opnieuw.',
    'fac.loginExpired': 'Je bent uitgelogd. Log opnieuw in.',
    'fac.sessionMissing': 'Deze sessie bestaat niet (meer). Controleer de link.',
    'fac.logout': 'Log uit',
    'fac.loggedInAs': 'Ingelogd als {name}',
    'fac.agenda': 'Agenda',
    'fac.now': 'Nu bezig',
    'fac.noCurrent': 'Nog geen activiteit gekozen. Start de sessie en ga naar de eerste activiteit.',
    'fac.noCurrentTitle': 'Nog geen activiteit',
    'fac.status.draft': 'Nog niet gestart',
    'fac.status.open': 'Loopt',
    'fac.status.closed': 'Afgesloten',
    'fac.start': 'Start de sessie',
    'fac.next': 'Volgende',
    'fac.prev': 'Vorige',
    'fac.goto': 'Ga hierheen',
    'fac.gotoLabel': 'Ga naar {title}',
    'fac.moveUp': 'Omhoog: {title}',
    'fac.moveDown': 'Omlaag: {title}',
    'fac.currentMark': 'nu',
    'fac.phase': 'Fase',
    'fac.phaseOf': 'fase {phase}',
    'fac.inputsOpen': 'invoer open',
    'fac.inputsShut': 'invoer dicht',
    'fac.openInputs': 'Open de invoer',
    'fac.closeInputs': 'Sluit de invoer',
    'fac.reveal': 'Onthul',
    'fac.close': 'Sluit de sessie',
    'fac.closeConfirmTitle': 'Sessie afsluiten?',
    'fac.closeConfirmText': 'Daarna kan niemand meer iets invullen. De resultaten blijven te zien. Dit kun je niet ongedaan maken.',
    'fac.kick': 'Verwijder',
    'fac.kickLabel': 'Verwijder {name}',
    'fac.kickConfirmTitle': '{name} verwijderen?',
    'fac.kickConfirmText': 'Deze deelnemer wordt losgekoppeld en kan niet als dezelfde deelnemer terugkomen.',
    'fac.participants': 'Deelnemers',
    'fac.counts': { one: '{count} deelnemer, {connected} verbonden', other: '{count} deelnemers, {connected} verbonden' },
    'fac.byFunction': 'Per functie',
    'fac.byGroup': 'Per groep',
    'fac.noFunction': 'geen functie',
    'fac.groups': 'Groepen',
    'fac.groupMode': 'Indeling',
    'fac.mode.random': 'willekeurig',
    'fac.mode.function': 'gemengd naar functie',
    'fac.mode.org': 'gemengd naar organisatie',
    'fac.groupSize': 'Groepsgrootte',
    'fac.formGroups': 'Vorm groepen',
    'fac.ungroup': 'Hef de groepen op',
    'fac.noGroups': 'Nog geen groepen.',
    'fac.manualHint': 'Met de hand indelen: kies per deelnemer een groep en pas de indeling toe.',
    'fac.manualApply': 'Pas deze indeling toe',
    'fac.groupOf': 'Groep van {name}',
    'fac.noGroup': 'geen groep',
    'fac.joinInfo': 'Meedoen',
    'fac.joinCode': 'Code',
    'fac.participantLink': 'Link voor deelnemers',
    'fac.openBeamer': 'Open het beamerscherm',
    'fac.shortcuts': 'Sneltoetsen',
    'fac.sc.next': 'volgende',
    'fac.sc.prev': 'vorige',
    'fac.sc.reveal': 'onthullen',
    'fac.sc.controls': 'bediening',
    'fac.sc.all': 'alle sneltoetsen',
    'fac.km.title': 'Sneltoetsen van de console',
    'fac.km.next': 'Volgende activiteit',
    'fac.km.prev': 'Vorige activiteit',
    'fac.km.reveal': 'Toon de uitslag van de activiteit (onthullen)',
    'fac.km.controls': 'Naar de bediening van de activiteit die nu loopt',
    'fac.km.help': 'Deze lijst openen',
    'fac.km.tab': 'Naar de volgende of vorige knop of het volgende of vorige veld',
    'fac.km.enter': 'Een knop indrukken of een lijst openklappen; Enter in een veld verstuurt het',
    'fac.km.arrows': 'Een keuze maken in een keuzelijst',
    'fac.km.escape': 'Een venster of bewerkveld sluiten zonder te bewaren',
    'fac.km.note': 'Letters werken niet terwijl je in een veld typt. Elke knop van een activiteit werkt ook met het toetsenbord.',
    'fac.km.close': 'Sluit',
    'fac.km.space': 'Spatie',
    'fac.noControls': 'Deze activiteit heeft nu geen knoppen.',
    'fac.ok': 'Gelukt.',
    'fac.commandFailed': 'Niet gelukt: {message}',
    'fac.offline': 'Je bent offline. Probeer het opnieuw als de verbinding terug is.',
    'fac.facilitatorView': 'Overzicht voor de facilitator',
    'fac.pluginRestarting': 'De plugin start opnieuw. Invoer komt zo weer binnen.',
    'fac.pluginFailed': 'De plugin werkt niet: {error}',
    'roster.name': 'Naam',
    'roster.function': 'Functie',
    'roster.org': 'Organisatie',
    'roster.group': 'Groep',
    'roster.connected': 'Verbonden',
    'roster.online': 'verbonden',
    'roster.offline': 'weg',
    'roster.anonymous': '(zonder naam)',
    'roster.empty': 'Nog niemand doet mee.',
    'roster.actions': 'Acties',

    'beamer.scan': 'Scan de QR-code of ga naar',
    'beamer.code': 'Code',
    'beamer.count': { one: '{n} deelnemer', other: '{n} deelnemers' },
    'beamer.waiting': 'We beginnen zo',
    'beamer.closed': 'Bedankt voor jullie inbreng!',
    'beamer.notFound': 'Deze sessie bestaat niet. Controleer de link.',
  },
  en: {
    'app.name': 'SessionHub',
    'common.skip': 'Skip to content',
    'common.loading': 'One moment…',
    'common.reload': 'Reload the page',
    'common.cancel': 'Cancel',
    'common.optional': '(optional)',
    'lang.switch': 'Nederlands',
    'lang.switchLabel': 'Schakel naar Nederlands',

    'banner.offline': 'No connection. What you enter now is kept and sent as soon as you are connected again.',
    'banner.reconnecting': 'The connection dropped. Reconnecting…',
    'banner.closed': 'This session is closed. You can still look at the results.',
    'banner.kicked': 'The facilitator removed you from the session.',
    'banner.deleted': 'This session no longer exists.',
    'banner.error': 'Something went wrong. Reload the page.',
    'banner.info': 'Please note.',

    'status.pending': 'Sending…',
    'status.queued': 'Saved. It will be sent once you are connected.',
    'status.confirmed': 'Confirmed',
    'status.error': 'Not sent',
    'status.notSent': 'Not sent: your place in the session had expired.',

    'timer.label': 'Time',
    'timer.done': 'Time is up',
    'timer.paused': 'Paused',
    'timer.remaining': '{time} left',
    'timer.oneMinute': 'One minute left',
    'progress.label': 'Turnout',
    'progress.of': '{value} of {max} ({pct}%)',
    'chart.empty': 'No answers yet.',
    'chart.mean': 'mean {mean}',
    'chart.answers': { one: '{n} answer', other: '{n} answers' },
    'cloud.label': 'Words',
    'cloud.empty': 'No words yet.',
    'cloud.count': { one: 'once', other: '{n} times' },
    'qr.alt': 'QR code to join: {url}',

    'join.title': 'Join',
    'join.intro': 'Enter the code you see on the screen.',
    'join.session': 'Session: {title}',
    'join.code': 'Join code',
    'join.codeHint': 'Six characters, for example BK7M4Q.',
    'join.name': 'Your name',
    'join.nameHint': 'Others only see your name when an activity asks for it.',
    'join.function': 'Your role',
    'join.functionNone': 'Choose your role',
    'join.functionOther': 'Which role?',
    'join.org': 'Your organisation',
    'join.submit': 'Join',
    'join.joining': 'Joining…',
    'function.wijkbeheerder': 'wijkbeheerder (neighbourhood manager)',
    'function.woonconsulent': 'woonconsulent (housing officer)',
    'function.huismeester': 'huismeester (caretaker)',
    'function.sociaalDomein': 'sociaal domein (social services)',
    'function.anders': 'other',

    'error.codeMissing': "Enter the code. You'll find it on the facilitator's screen.",
    'error.codeUnknown': "We don't know this code. Check the screen and try again.",
    'error.network': 'The hub cannot be reached. Check your Wi-Fi and try again.',
    'error.tokenExpired': 'Your earlier place in this session has expired. Join again.',
    'error.joinFailed': 'Joining did not work: {message}',

    'offline.title': 'No connection to the hub',
    'offline.text': 'The hub cannot be reached right now. This page comes from your device\'s memory. As soon as the hub is back, you carry on by yourself.',
    'offline.retry': 'Try again',
    'lobby.title': 'Wait for the facilitator',
    'lobby.draft': 'The session has not started yet. There is nothing to do now.',
    'lobby.between': 'The next activity starts soon.',
    'lobby.joinedAs': 'You are taking part as {name}.',
    'lobby.joinedAnonymous': 'You are taking part without a name.',

    'activity.now': 'Now',
    'activity.group': 'Group {n}',
    'activity.yourInputs': 'Your input',
    'activity.inputAt': 'Input at {time}',
    'activity.announce': 'New activity: {title}',
    'activity.noWeb': 'There is nothing to do on your phone here. Look at the screen and listen to the facilitator.',
    'activity.loading': 'Loading the activity…',
    'activity.loadFailed': 'This part could not load',
    'activity.loadFailedText': 'The rest of the session works as usual. Reload the page. Still not working? Tell the facilitator.',
    'activity.details': 'Technical details',
    'activity.inputsClosed': 'Input is closed for now. Wait for the facilitator.',

    'closed.title': 'The session is closed',
    'closed.text': 'Thank you for taking part! Below are the latest results.',
    'closed.textNoResults': 'Thank you for taking part!',

    'ended.kickedTitle': 'You were removed from the session',
    'ended.kickedText': 'The facilitator ended your participation. A mistake? Ask the facilitator and join again.',
    'ended.deletedTitle': 'This session no longer exists',
    'ended.deletedText': 'The facilitator deleted the session. You can close this window.',
    'ended.rejoin': 'Join again',

    'footer.leave': 'Stop taking part',
    'footer.leaveConfirm': 'Do you want to stop? This device will then no longer take part as the same participant.',

    'conn.connecting': 'Connecting…',
    'conn.open': 'Connected',
    'conn.reconnecting': 'Reconnecting…',
    'conn.offline': 'No connection',
    'conn.ended': 'Not connected',
    'conn.idle': 'Not connected',

    'fac.loginTitle': 'Sign in as facilitator',
    'fac.loginIntro': 'Sign in to run this session.',
    'fac.email': 'Email address',
    'fac.password': 'Password',
    'fac.login': 'Sign in',
    'fac.loginFailed': 'Email address or password is wrong. Try again.',
    'fac.loginExpired': 'You were signed out. Sign in again.',
    'fac.sessionMissing': 'This session does not exist (any more). Check the link.',
    'fac.logout': 'Sign out',
    'fac.loggedInAs': 'Signed in as {name}',
    'fac.agenda': 'Programme',
    'fac.now': 'Current activity',
    'fac.noCurrent': 'No activity chosen yet. Start the session and go to the first activity.',
    'fac.noCurrentTitle': 'No activity yet',
    'fac.status.draft': 'Not started',
    'fac.status.open': 'Running',
    'fac.status.closed': 'Closed',
    'fac.start': 'Start the session',
    'fac.next': 'Next',
    'fac.prev': 'Previous',
    'fac.goto': 'Go here',
    'fac.gotoLabel': 'Go to {title}',
    'fac.moveUp': 'Move up: {title}',
    'fac.moveDown': 'Move down: {title}',
    'fac.currentMark': 'now',
    'fac.phase': 'Stage',
    'fac.phaseOf': 'stage {phase}',
    'fac.inputsOpen': 'input open',
    'fac.inputsShut': 'input closed',
    'fac.openInputs': 'Open input',
    'fac.closeInputs': 'Close input',
    'fac.reveal': 'Reveal',
    'fac.close': 'Close the session',
    'fac.closeConfirmTitle': 'Close the session?',
    'fac.closeConfirmText': 'After this nobody can enter anything. The results stay visible. You cannot undo this.',
    'fac.kick': 'Remove',
    'fac.kickLabel': 'Remove {name}',
    'fac.kickConfirmTitle': 'Remove {name}?',
    'fac.kickConfirmText': 'This participant is disconnected and cannot come back as the same participant.',
    'fac.participants': 'Participants',
    'fac.counts': { one: '{count} participant, {connected} connected', other: '{count} participants, {connected} connected' },
    'fac.byFunction': 'By role',
    'fac.byGroup': 'By group',
    'fac.noFunction': 'no role given',
    'fac.groups': 'Groups',
    'fac.groupMode': 'Split',
    'fac.mode.random': 'at random',
    'fac.mode.function': 'mixed by role',
    'fac.mode.org': 'mixed by organisation',
    'fac.groupSize': 'Group size',
    'fac.formGroups': 'Form groups',
    'fac.ungroup': 'Dissolve the groups',
    'fac.noGroups': 'No groups yet.',
    'fac.manualHint': 'Grouping by hand: choose a group for each participant and apply it.',
    'fac.manualApply': 'Apply these groups',
    'fac.groupOf': 'Group of {name}',
    'fac.noGroup': 'no group',
    'fac.joinInfo': 'How to join',
    'fac.joinCode': 'Join code',
    'fac.participantLink': 'Link for participants',
    'fac.openBeamer': 'Open the projector screen',
    'fac.shortcuts': 'Keyboard shortcuts',
    'fac.sc.next': 'next',
    'fac.sc.prev': 'previous',
    'fac.sc.reveal': 'reveal',
    'fac.sc.controls': 'controls',
    'fac.sc.all': 'all shortcuts',
    'fac.km.title': 'Console keyboard shortcuts',
    'fac.km.next': 'Next activity',
    'fac.km.prev': 'Previous activity',
    'fac.km.reveal': 'Show the activity\'s results (reveal)',
    'fac.km.controls': 'Go to the controls of the running activity',
    'fac.km.help': 'Open this list',
    'fac.km.tab': 'To the next or previous button or field',
    'fac.km.enter': 'Press a button or open a collapsed list; Enter in a field sends it',
    'fac.km.arrows': 'Make a choice in a drop-down list',
    'fac.km.escape': 'Close a dialog or an editor without saving',
    'fac.km.note': 'Letters do nothing while you type in a field. Every control of an activity also works with the keyboard.',
    'fac.km.close': 'Close',
    'fac.km.space': 'Space',
    'fac.noControls': 'This activity has no controls right now.',
    'fac.ok': 'Done.',
    'fac.commandFailed': 'That did not work: {message}',
    'fac.offline': 'You are offline. Try again once the connection is back.',
    'fac.facilitatorView': 'Facilitator overview',
    'fac.pluginRestarting': 'The plugin is restarting. Input will come in again shortly.',
    'fac.pluginFailed': 'The plugin is not working: {error}',
    'roster.name': 'Name',
    'roster.function': 'Role',
    'roster.org': 'Organisation',
    'roster.group': 'Group',
    'roster.connected': 'Connected',
    'roster.online': 'connected',
    'roster.offline': 'away',
    'roster.anonymous': '(no name)',
    'roster.empty': 'Nobody has joined yet.',
    'roster.actions': 'Actions',

    'beamer.scan': 'Scan the QR code or go to',
    'beamer.code': 'Join code',
    'beamer.count': { one: '{n} participant', other: '{n} participants' },
    'beamer.waiting': 'We are about to start',
    'beamer.closed': 'Thank you all for taking part!',
    'beamer.notFound': 'This session does not exist. Check the link.',
  },
};

function readSaved() {
  try { const v = localStorage.getItem(SAVED); return LANGS.includes(v) ? v : null; } catch { return null; }
}

export function browserLang() {
  const list = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || '']);
  return String(list[0] || '').toLowerCase().startsWith('en') ? 'en' : 'nl';
}

let current = readSaved() || browserLang();
const listeners = new Set();

export function getLang() { return current; }

export function t(key, params = {}, lang = current) {
  const cat = catalogues[lang] || catalogues.nl;
  let value = cat[key] ?? catalogues.nl[key];
  if (value === undefined) return key;
  if (typeof value === 'object') value = Number(params.n ?? params.count) === 1 ? value.one : value.other;
  return String(value).replace(/\{(\w+)\}/g, (m, name) => (params[name] === undefined || params[name] === null ? m : String(params[name])));
}

/** Fill [data-i18n] (text) and [data-i18n-attr="attr:key;attr:key"] below root. */
export function applyI18n(root = document) {
  if (root === document) {
    document.documentElement.lang = current;
  }
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of e.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) e.setAttribute(attr, t(key));
    }
  }
}

export function setLang(lang, { save = true } = {}) {
  if (!LANGS.includes(lang)) return;
  current = lang;
  if (save) { try { localStorage.setItem(SAVED, lang); } catch { /* private mode */ } }
  applyI18n(document);
  for (const fn of [...listeners]) { try { fn(lang); } catch (e) { console.error(e); } }
}

export function onLangChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/** A button that switches between the two languages; its label is the other language, in that language. */
export function langSwitch(button) {
  const update = () => {
    const other = current === 'nl' ? 'en' : 'nl';
    button.textContent = t('lang.switch');
    button.lang = other;
    button.setAttribute('aria-label', t('lang.switchLabel'));
  };
  button.addEventListener('click', () => setLang(current === 'nl' ? 'en' : 'nl'));
  onLangChange(update);
  update();
}
