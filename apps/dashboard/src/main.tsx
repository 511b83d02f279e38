import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DashboardApp } from './app/dashboard-app';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DashboardApp />
  </StrictMode>,
);
