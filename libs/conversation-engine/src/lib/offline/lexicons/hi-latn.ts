import type { Lexicon } from './lexicon';

const HOUR = '(\\d{1,2}(:\\d{2})?|ek|do|teen|tin|char|chaar|paanch|panch|chhe|che|chhah|saat|aath|nau|das|gyarah|barah|baarah|dedh|dhai)';
const WEEKDAY = '(somvar|mangalvar|budhvar|guruvar|shukravar|shanivar|ravivar|itwar|itvaar)';
const CALL = '(call|phone|fone)';

/** Hinglish: Hindi in Latin letters, English words mixed in freely (those come from the English lexicon). */
export const HINGLISH: Lexicon = {
  code: 'hi-Latn',
  intents: {
    do_not_call: [`(dobara |dubara |phir se |fir se |aage se )?${CALL} (mat|na) (karna|karo|kariye|kijiye|kare)`, `${CALL} (karna )?band (karo|kijiye|kariye)`, 'number (hata|delete kar) (do|dijiye|dena)'],
    wrong_person: ['galat number', 'rong number', 'galat (aadmi|insaan|banda)', 'yahan (koi )?\\S+ nahi(n)? (hai|rehta|rehti|rahta)', 'main \\S+ nahi(n)? (hoon|hu|hun|bol)', 'is naam ka koi nahi', 'kisi \\S+ ko nahi jaanta'],
    human: ['(kisi )?(insaan|insan|aadmi|admi|banda|person|agent|manager) se baat', 'customer care', 'asli (insaan|aadmi)', 'kisi se baat (karao|karwao|karaiye|karwaiye)'],
    callback: [`baad (mein|me|mai) ${CALL}`, `${CALL} back`, `(phir se|fir se|dobara) ${CALL}`, `${CALL} (karna|karo|kijiye|kariye|kar lena|kar lijiye|kar dena)`, 'abhi (busy|vyast) (hoon|hu|hun|hai)', 'abhi baat nahi kar (sakta|sakti)', 'abhi (main )?drive kar'],
    cancel: ['cancel', 'radd', 'nahi(n)? chahiye', 'nahi(n)? lena', 'mat bhej(o|na|iye|ein)', 'wapas (kar|le) (do|lo|lijiye)', 'nahi(n)? mangana'],
    anger: ['bakwas', 'bakwaas', 'fraud', 'dhokha', 'pareshan mat', 'dimag mat kha', 'dimaag mat kha', 'pagal', 'bekaar'],
    address: ['(pata|address) (badal gaya|badla|galat|adhura|purana|change)', '(naya|new) (pata|address)', 'galat (pata|address)', 'ghar badal'],
    reschedule: ['(kisi )?aur din', '(dusre|doosre) din', 'baad (mein|me) bhej', 'ghar (par|pe|pa) nahi', 'nahi(n)? (rahunga|rahungi|rahenge)', 'aage kar', 'date (badal|change)', 'reschedule'],
    who: ['kaun (bol raha|bol rahi|bol rahe|hai|ho|hain)', 'aap kaun', 'kahan se (bol|call)', 'kis baare (mein|me)', 'kis liye'],
    amount: ['kitne (paise|rupaye|rupay|rupees|ka)', 'kitna (dena|paisa|amount|bill|hai)', 'amount kya', 'price kya', 'kitne'],
    confirm: ['confirm', 'pakka', 'bhej (do|dijiye|dijie|dena|dein)', 'deliver kar (do|dena|dijiye|dein)', 'le (lunga|loonga|lungi|loongi|lenge)', 'haan chahiye'],
    no: ['nahi', 'nahin', 'nai', 'na', 'ji nahi', 'nahi ji'],
    yes: ['haan', 'haan ji', 'han', 'ha', 'ji', 'ji haan', 'jee', 'bilkul', 'sahi', 'theek hai', 'thik hai', 'bol (raha|rahi) (hoon|hu|hun)', 'main hi', 'mai hi', 'boliye', 'haanji'],
  },
  pastDays: ['(beeta|bita|beete|bite) (hua )?kal', 'guzra kal', 'pichhle \\S+var'],
  today: ['aaj'],
  changeOfMind: ['nahi nahi', 'ruko', 'rukiye', 'asal (mein|me)', 'waise', 'ek minute', '(mann|man) badal'],
  negations: ['nahi', 'nahin', 'nai', 'na', 'mat'],
  reasonMarkers: ['kyunki', 'kyonki', 'kyun ki', 'kyuki'],
  days: ['aaj', 'kal', 'parson', 'parso', `(agle|is|pichhle) ${WEEKDAY}`, 'agle hafte', WEEKDAY, '\\d{1,2} tarikh', '(\\d+|do|teen) din (baad|mein)'],
  dayparts: ['(subah|savere|dopahar|dopeher|shaam|sham|raat)( ko| mein| me)?'],
  clocks: [`(saadhe |sade |sava |paune )?${HOUR} baje( ke baad| ke aaspaas| tak| se pehle)?`, '\\d{1,2}:\\d{2}'],
  hours: [`(saadhe |sade |sava |paune )?${HOUR}( baje)?`],
  addressLead: ['nahi', 'ji nahi', 'ab', 'naya pata', 'pata', 'hai', 'badal gaya hai', 'mera'],
  timePhrase: (daypart, clock) => `${daypart} ${clock}`,
};
