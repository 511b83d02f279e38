import type { Lexicon } from './lexicon';

const HOUR = '(\\d{1,2}([.:]\\d{2})?|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|dua belas)';
const WEEKDAY = "(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu)";

/** Indonesian, everyday spoken forms included ("nggak", "aja"). */
export const INDONESIAN: Lexicon = {
  code: 'id',
  intents: {
    do_not_call: ['jangan (telepon|telpon|telfon|hubungi|nelpon|menelepon|menghubungi)( saya| aku)?( lagi)?', 'berhenti (menelepon|menghubungi|nelpon|telepon)', 'hapus nomor (saya|aku)'],
    wrong_person: ['salah sambung', 'salah nomor', 'nomor salah', 'salah orang', 'bukan (saya|aku|dia)', '(saya|aku) bukan \\S+', '(tidak|nggak|gak|ga) ada yang (namanya|bernama)', '(tidak|nggak|gak|ga) kenal'],
    human: ['(bicara|ngomong|berbicara) (dengan|sama) (orang|manusia|petugas|agen|operator|cs|customer service|atasan|admin)', 'orang (asli|sungguhan|beneran)', 'sambungkan (ke|dengan)', 'customer service'],
    callback: ['(telepon|telpon|telfon|hubungi) (saya |aku )?(lagi|nanti|kembali|balik|besok|sore|malam|jam|setelah)', 'nanti (telepon|telpon|hubungi)', '(lagi|sedang) (sibuk|nyetir|menyetir|rapat|kerja)', 'sibuk'],
    cancel: ['batal\\p{L}*', 'dibatalkan', 'cancel', '(tidak|nggak|gak|ga|enggak) (jadi|mau|perlu)', 'tolak', 'kembalikan'],
    anger: ['penipu', 'penipuan', 'tipu', 'bohong', 'jangan ganggu', 'ganggu', 'menyebalkan', 'kesal', 'bodoh'],
    address: ['alamat (saya |aku )?(pindah|berubah|salah|baru|sudah ganti|kurang lengkap|lama)', 'pindah (rumah|alamat)', 'sudah pindah'],
    reschedule: ['hari lain', 'lain hari', 'lain kali', '(tidak|nggak|gak|ga) (ada )?di rumah', 'ganti (hari|tanggal|jadwal)', 'jadwal ulang', 'diundur', 'undur', 'tunda'],
    who: ['siapa (ini|ya|nih|yang)', 'ini siapa', 'dari mana', 'dengan siapa', 'ada apa'],
    amount: ['berapa', 'total(nya)?', 'harga(nya)?'],
    confirm: ['konfirmasi', 'dikonfirmasi', 'kirim (saja|aja|sekarang|ya)', 'antar (saja|aja)', 'silakan (kirim|antar)', 'tetap (kirim|jadi|dikirim)', 'sesuai jadwal', 'jadi (kirim|dikirim|ambil)'],
    no: ['tidak', 'nggak', 'ngga', 'gak', 'enggak', 'ga', 'tak', 'belum'],
    yes: ['iya', 'ya', 'betul', 'benar', 'bener', 'saya sendiri', 'dengan saya', 'ini saya', 'iya saya', 'oke', 'ok', 'baik', 'boleh', 'tentu', 'siap', 'iyaa'],
  },
  pastDays: ['kemarin', 'kemarin lusa'],
  today: ['hari ini'],
  changeOfMind: ['eh', 'sebenarnya', 'tunggu', 'ralat', 'eh tapi'],
  negations: ['tidak', 'nggak', 'ngga', 'gak', 'ga', 'bukan', 'jangan', 'enggak'],
  reasonMarkers: ['karena', 'soalnya', 'sebab', 'karna'],
  days: ['hari ini', 'besok lusa', 'besok', 'lusa', 'kemarin', `(hari )?${WEEKDAY}( depan)?`, 'minggu depan', 'tanggal \\d{1,2}', '(\\d+|dua|tiga) hari lagi'],
  dayparts: ['(pagi|siang|sore|malam)( hari)?'],
  clocks: [`(setelah |sesudah |habis |abis |sekitar |sebelum )?(jam|pukul) ${HOUR}( lewat| kurang)?`, `(setelah|sesudah|habis|abis) ${HOUR}`, '\\d{1,2}[.:]\\d{2}'],
  hours: [`(jam |pukul )?${HOUR}`],
  addressLead: ['bukan', 'tidak', 'nggak', 'sekarang', 'alamat (baru |yang benar )?(saya )?(adalah|di)?', 'pindah ke', 'di'],
  timePhrase: (daypart, clock) => `${clock} ${daypart}`,
};
