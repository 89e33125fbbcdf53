import { render } from 'solid-js/web';
import { App } from './App';
import './stores/theme';
import './styles.css';

render(() => <App />, document.getElementById('root')!);
