// Everything a person reads. Only French is provided; `data-lang` picks the table.
// One wording for both reading modes: the sentences (PROSE in bot/conversation/texts.py: notes, statuses,
// the erase question) are written easy to read and measured with the assistant's messages against the
// FALC thresholds (tests/bot/conversation/test_readability.py); the names of controls and regions are
// one to four common words.
const fr = {
  widgetLabel: 'Assistant {title}',
  launcher: 'Ouvrir la discussion',
  close: 'Fermer',
  closeHidden: ' la discussion',
  erase: 'Effacer ma conversation',
  easyRead: 'Facile à lire',
  easyReadOn: 'Mode facile à lire activé.',
  easyReadOff: 'Le mode facile à lire est arrêté.',
  listen: 'Écouter',
  listenLabel: 'Écouter ce message',
  listenStop: 'Arrêter',
  listenStopLabel: 'Arrêter la lecture',
  eraseQuestion: 'Voulez-vous tout effacer, sur cet appareil et sur nos serveurs ? Vous ne pourrez pas revenir en arrière.',
  eraseYes: 'Oui, effacer',
  eraseNo: 'Annuler',
  erasing: 'J’efface tout…',
  erased: 'Tout est effacé, sur cet appareil et sur nos serveurs.',
  eraseFailed: 'Je n’ai pas pu tout effacer. Vérifiez votre connexion, puis essayez encore.',
  notice: 'Cet assistant vous informe ; il ne décide pas à votre place. Évitez d’écrire des détails sur votre santé : les boutons suffisent. Vous pouvez effacer la conversation à tout moment.',
  privacyLink: 'Vos données',
  logLabel: 'Messages de la conversation',
  scrollLabel: 'Conversation',
  inputLabel: 'Votre message',
  inputPlaceholder: 'Écrivez votre message…',
  inputHint: 'Entrée pour envoyer, Maj + Entrée pour aller à la ligne.',
  send: 'Envoyer',
  you: 'Vous :',
  bot: '{title} :',
  typing: 'J’écris ma réponse…',
  quickReplies: 'Réponses proposées',
  links: 'Liens utiles',
  newWindow: ' (nouvelle fenêtre)',
  connecting: 'Connexion en cours…',
  connectionLost: 'La connexion est coupée. J’essaie de la reprendre…',
  connectionBack: 'La connexion est de retour.',
  pending: 'En attente d’envoi : il partira dès le retour de la connexion.',
  restoring: 'Je reprends là où nous en étions…',
  imageLink: 'Voir l’image',
  emptyMessage: 'Le message est vide. Écrivez un mot.',
};

const TABLES = { fr };

/** The strings for `lang`, falling back to French. */
export function strings(lang) {
  const base = (lang || 'fr').toLowerCase().split('-')[0];
  return TABLES[base] || fr;
}

/** `{name}` placeholders replaced by `values[name]`. */
export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ''));
}
