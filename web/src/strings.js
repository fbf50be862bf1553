// Everything a person reads. Only French is provided; `data-lang` picks the table.
const fr = {
  widgetLabel: 'Assistant {title}',
  launcher: 'Ouvrir la discussion',
  close: 'Fermer',
  closeHidden: ' la discussion',
  erase: 'Effacer ma conversation',
  easyRead: 'Facile à lire',
  easyReadOn: 'Mode facile à lire activé.',
  easyReadOff: 'Mode facile à lire désactivé.',
  listen: 'Écouter',
  listenLabel: 'Écouter ce message',
  listenStop: 'Arrêter',
  listenStopLabel: 'Arrêter la lecture',
  eraseQuestion: 'Effacer toute la conversation, sur cet appareil et sur nos serveurs ? C’est définitif.',
  eraseYes: 'Oui, effacer',
  eraseNo: 'Annuler',
  erasing: 'Effacement en cours…',
  erased: 'Votre conversation a été effacée, sur cet appareil et sur nos serveurs.',
  eraseFailed: 'L’effacement n’a pas abouti. Vérifiez votre connexion puis réessayez.',
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
  typing: 'L’assistant écrit…',
  quickReplies: 'Réponses proposées',
  links: 'Liens utiles',
  newWindow: ' (nouvelle fenêtre)',
  connecting: 'Connexion en cours…',
  connectionLost: 'Connexion perdue, nouvelle tentative…',
  connectionBack: 'Connexion rétablie.',
  pending: 'En attente d’envoi : il partira dès le retour de la connexion.',
  restoring: 'Récupération de votre conversation…',
  imageLink: 'Voir l’image',
  emptyMessage: 'Écrivez un message avant d’envoyer.',
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
