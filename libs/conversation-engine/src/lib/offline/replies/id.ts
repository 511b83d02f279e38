import type { OrderFacts, Replies } from './replies';

const order = (f: OrderFacts) => (f.orderId ? `pesanan ${f.orderId}` : 'pesanan Anda');
const amount = (f: OrderFacts) => (f.amount ? ` senilai ${f.amount}` : '');
const you = (f: OrderFacts) => (f.name ? `Bapak atau Ibu ${f.name}` : 'pemilik pesanan');

/** Indonesian, polite call-centre register ("Bapak/Ibu", "Anda"). */
export const INDONESIAN_REPLIES: Replies = {
  code: 'id',
  askIdentity: (f) => `Maaf, apakah saya berbicara dengan ${you(f)}?`,
  whoBeforeIdentity: (f) => `Kami dari tim pengiriman toko tempat Anda berbelanja. Apakah saya berbicara dengan ${you(f)}?`,
  identityFirst: (f) => `Detail pesanan hanya bisa saya sampaikan kepada ${you(f)}. Apakah saya berbicara dengan ${you(f)}?`,
  askOrder: (f) => `Terima kasih, saya menelepon tentang ${order(f)}${amount(f)}, bayar di tempat. Apakah kami kirim sesuai jadwal?`,
  whoAfterIdentity: (f) => `Saya dari tim pengiriman, menelepon tentang ${order(f)}${amount(f)}, bayar di tempat. Apakah kami kirim sesuai jadwal?`,
  amount: (f) => (f.amount ? `Total ${order(f)} adalah ${f.amount}, dibayar tunai saat barang tiba. Apakah kami kirim sesuai jadwal?` : `Kurir akan menyebutkan jumlah pasti ${order(f)} saat pengiriman. Apakah kami kirim sesuai jadwal?`),
  proposeCancel: (f) => `Anda ingin membatalkan ${order(f)}, betul?`,
  proposeSlot: (f, when) => `Anda ingin ${order(f)} dikirim ${when}, betul?`,
  askChoice: () => 'Tidak apa-apa, Anda ingin membatalkan pesanan, atau dikirim di hari lain?',
  askDay: () => 'Baik, hari apa yang cocok untuk pengiriman?',
  askTime: () => 'Dan jam berapa di hari itu?',
  askExactTime: (daypart) => `Jam berapa ${daypart}nya?`,
  pastDay: () => 'Hari itu sudah lewat. Hari dan jam berapa ke depan yang cocok?',
  unclearDay: () => 'Maaf, hari apa dan jam berapa yang cocok untuk pengiriman?',
  askCallbackTime: () => 'Tentu, kapan kami boleh menelepon kembali?',
  callbackPast: () => 'Waktu itu sudah lewat. Kapan kami boleh menelepon kembali?',
  offerCallback: () => 'Maaf, saat ini tidak ada petugas yang bisa menerima telepon. Kapan kami boleh menelepon kembali?',
  addressQuestion: (f) => `Sebelum dikirim: apakah alamat Anda masih ${f.address}?`,
  askAddress: () => 'Alamat yang benar di mana?',
  addressNoted: () => 'Terima kasih, alamat barunya sudah saya catat.',
  orderQuestion: () => 'Apakah kami kirim sesuai jadwal?',
  notUnderstood: () => 'Maaf, saya kurang jelas. Apakah pesanan Anda kami kirim sesuai jadwal?',
  confirmed: (f) => `Terima kasih, ${order(f)} sudah dikonfirmasi dan akan dikirim sesuai jadwal. Sampai jumpa.`,
  cancelled: (f) => `Baik, ${order(f)} sudah saya batalkan. Terima kasih atas informasinya. Sampai jumpa.`,
  rescheduled: (when) => `Baik, pengiriman kami pindahkan ke ${when}. Sampai jumpa.`,
  callbackBooked: (when) => `Baik, kami telepon kembali ${when}. Sampai jumpa.`,
  wrongPerson: () => 'Mohon maaf atas gangguannya. Selamat siang. Sampai jumpa.',
  doNotCall: () => 'Baik, kami tidak akan menelepon lagi. Sampai jumpa.',
  transferring: () => 'Mohon tunggu, saya sambungkan ke rekan saya. Jangan ditutup teleponnya.',
  goodbye: () => 'Terima kasih atas waktunya. Sampai jumpa.',
};
